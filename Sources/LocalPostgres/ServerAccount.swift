import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The unprivileged account the server programs run as when the platform itself runs as root.
///
/// `initdb`, `pg_ctl` and `postgres` refuse to run as root, so a root process must hand them to
/// another account; a non-root process runs them directly and has no `ServerAccount`.
/// ``ClusterCommand`` starts them with this account's user, group and supplementary groups through
/// util-linux's `setpriv` (no PAM session, no fork of this process).
struct ServerAccount: Sendable {
    var name: String
    var uid: uid_t
    var gid: gid_t
    /// Every group the account belongs to, as a login would set them.
    var groups: [gid_t]
    /// The account's home directory, given to its programs as `HOME`.
    var home: String

    /// The only account the server runs as: Debian's `postgresql` package creates it. Never a shared
    /// account such as `nobody`, whose other processes would own the cluster's files and keys.
    static let accountName = "postgres"

    /// The account to run server programs as, or nil when the current process is not root.
    static func forCurrentProcess() throws(LocalClusterError) -> ServerAccount? {
        try self.forProcess(userID: getuid(), lookUp: self.lookUp)
    }

    /// ``forCurrentProcess()`` for a process of `userID`, with `lookUp` reading the user database.
    static func forProcess(userID: uid_t, lookUp: (String) -> ServerAccount?) throws(LocalClusterError)
        -> ServerAccount?
    {
        guard userID == 0 else { return nil }
        guard let account = lookUp(self.accountName) else { throw .noUnprivilegedAccount }
        return account
    }

    // MARK: Lookup

    private static func lookUp(_ name: String) -> ServerAccount? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        let home = entry.pw_dir.map { String(cString: $0) } ?? "/"
        return ServerAccount(
            name: name, uid: entry.pw_uid, gid: entry.pw_gid, groups: self.groups(of: name, gid: entry.pw_gid), home: home)
    }

    /// The account's groups from the group database, its primary group first.
    private static func groups(of name: String, gid: gid_t) -> [gid_t] {
        var count: Int32 = 64
        while true {
            #if canImport(Darwin)
                var groups = [Int32](repeating: 0, count: Int(count))
                let found = getgrouplist(name, Int32(bitPattern: gid), &groups, &count)
                if found >= 0 { return groups.prefix(Int(count)).map { gid_t(bitPattern: $0) } }
            #else
                var groups = [gid_t](repeating: 0, count: Int(count))
                let found = getgrouplist(name, gid, &groups, &count)
                if found >= 0 { return Array(groups.prefix(Int(count))) }
            #endif
            // -1: the list was too small and `count` now holds the size needed.
            count = max(count, Int32(groups.count) * 2)
        }
    }
}
