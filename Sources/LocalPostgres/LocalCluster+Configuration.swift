import Foundation

extension LocalCluster {
    static let configurationBegin =
        "# BEGIN LocalPostgres: rewritten on every start; override with ALTER SYSTEM (postgresql.auto.conf)."
    static let configurationEnd = "# END LocalPostgres"

    /// The settings the platform relies on, in file order.
    var settings: [(name: String, value: String)] {
        let durability = self.durable ? "on" : "off"
        return [
            // Unix socket only: no TCP port, so no collision with any other server on the machine.
            ("listen_addresses", "''"),
            ("port", "\(Self.port)"),
            ("unix_socket_directories", Self.quote(self.socketDirectory)),
            // A throwaway cluster serves a whole test run: many databases at once, each with its pools.
            ("max_connections", self.durable ? "200" : "1000"),
            ("shared_buffers", "256MB"),
            ("fsync", durability),
            ("synchronous_commit", durability),
            ("full_page_writes", durability),
        ]
    }

    /// Replaces our block at the end of `postgresql.conf` (later lines win), keeping everything else, and
    /// writes `pg_hba.conf` and `pg_ident.conf` (see ``hostBasedAuthentication`` and ``identityMap(for:)``).
    ///
    /// Rewritten on every start so a changed socket directory, durability or client role takes effect,
    /// and a cluster made when initdb was told to trust every client is closed too. PGDATA belongs to
    /// the server account: every file is read and replaced through descriptors below the folder's,
    /// never through a link, and only when it is a regular file of that account's.
    func writeConfiguration(account: ServerAccount?) throws(LocalClusterError) {
        let data = try self.openData(account: account)
        let name = "postgresql.conf"
        let file = try data.open(name, .regularFile, owners: Self.serverOwners(account))
        let existing = String(decoding: try file.contents(), as: UTF8.self)
        file.release()
        var text = Self.removingBlock(from: existing)
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += Self.configurationBegin + "\n"
        for setting in self.settings {
            text += "\(setting.name) = \(setting.value)\n"
        }
        text += Self.configurationEnd + "\n"
        if text != existing {
            try data.replaceFile(name, with: Data(text.utf8), mode: 0o600, account: account)
        }
        try data.replaceFile("pg_hba.conf", with: Data(Self.hostBasedAuthentication.utf8), mode: 0o600, account: account)
        let map = self.identityMap(for: try Self.currentUserName())
        try data.replaceFile("pg_ident.conf", with: Data(map.utf8), mode: 0o600, account: account)
    }

    /// `text` without our block.
    static func removingBlock(from text: String) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == Self.configurationBegin {
                inside = true
            } else if inside {
                if line == Self.configurationEnd { inside = false }
            } else {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n")
    }

    /// A string value of `postgresql.conf`: quoted, with its quotes doubled and its backslashes escaped
    /// (PostgreSQL reads escapes in quoted values, so a path with a `\` named another directory).
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
