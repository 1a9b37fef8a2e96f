#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The unprivileged account the server programs run as when the platform itself runs as root.
///
/// `initdb`, `pg_ctl` and `postgres` refuse to run as root, so a root process must hand them to
/// another account; a non-root process runs them directly and has no `ServerAccount`.
struct ServerAccount: Sendable {
    var name: String
    var uid: uid_t
    var gid: gid_t
    /// The program and leading arguments that run a command as this account.
    var launcher: [String]

    /// Accounts tried in order: Debian's `postgres` package creates the first.
    static let candidateNames = ["postgres", "nobody"]

    /// The account to run server programs as, or nil when the current process is not root.
    static func forCurrentProcess() throws(LocalClusterError) -> ServerAccount? {
        guard getuid() == 0 else { return nil }
        guard let (name, uid, gid) = self.candidateNames.lazy.compactMap(self.lookUp).first else {
            throw .noUnprivilegedAccount
        }
        return ServerAccount(name: name, uid: uid, gid: gid, launcher: try self.launcher(name: name, uid: uid, gid: gid))
    }

    /// Wraps a command so it runs as this account.
    func wrap(_ command: [String]) -> [String] {
        self.launcher + command
    }

    /// Gives a file or directory to this account (not recursive).
    func take(_ path: String) throws(LocalClusterError) {
        guard chown(path, self.uid, self.gid) == 0 else {
            throw .fileSystem(operation: "change owner to \(self.name) of", path: path, reason: String(cString: strerror(errno)))
        }
    }

    // MARK: Lookup

    private static func lookUp(_ name: String) -> (String, uid_t, gid_t)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (name, entry.pw_uid, entry.pw_gid)
    }

    /// Prefers `runuser` (sets supplementary groups via PAM like a login would); `setpriv` is the bare fallback.
    private static func launcher(name: String, uid: uid_t, gid: gid_t) throws(LocalClusterError) -> [String] {
        let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        if let path = runuser.first(where: FileManager.default.isExecutableFile(atPath:)) {
            return [path, "-u", name, "--"]
        }
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        if let path = setpriv.first(where: FileManager.default.isExecutableFile(atPath:)) {
            return [path, "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"]
        }
        throw .privilegeDropUnavailable(searched: runuser + setpriv)
    }
}
