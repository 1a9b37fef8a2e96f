import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension LocalCluster {
    /// The name of the `pg_ident.conf` map that `pg_hba.conf`'s socket line uses.
    static let identityMapName = "platform"

    /// `pg_hba.conf`: peer authentication on the Unix socket through ``identityMapName``, and every TCP
    /// client rejected (the server listens on no TCP address either, see ``settings``).
    static let hostBasedAuthentication = """
        # Written by LocalPostgres on every start (changes are lost): the operating-system user running the
        # platform connects over the Unix socket as the roles pg_ident.conf maps it to, and no one else.
        # TYPE  DATABASE  USER  ADDRESS  METHOD
        local   all       all            peer map=\(identityMapName)
        host    all       all   all      reject

        """

    /// `pg_ident.conf`: `user` (the operating-system user running the platform or its tests) may connect
    /// as the superuser and as each of ``clientRoles``; no other user, and as no other role.
    func identityMap(for user: String) -> String {
        var text = """
            # Written by LocalPostgres on every start (changes are lost).
            # MAPNAME  SYSTEM-USERNAME  PG-USERNAME

            """
        for role in [self.superuser] + self.clientRoles {
            text += "\(Self.identityMapName) \(Self.quoteToken(user)) \(Self.quoteToken(role))\n"
        }
        return text
    }

    /// A `pg_hba.conf`/`pg_ident.conf` token, double-quoted so that it is taken literally.
    static func quoteToken(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The name of the user this process runs as, which peer authentication sees on the socket.
    static func currentUserName() throws(LocalClusterError) -> String {
        let uid = geteuid()
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            throw .unnamedUser(uid: uid)
        }
        return String(cString: name)
    }
}
