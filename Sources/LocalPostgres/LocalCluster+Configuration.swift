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

    /// Replaces our block at the end of `postgresql.conf` (later lines win), keeping everything else.
    ///
    /// Rewritten on every start so a changed socket directory or durability takes effect.
    func writeConfiguration(account: ServerAccount?) throws(LocalClusterError) {
        let url = self.dataDirectory.appending(path: "postgresql.conf", directoryHint: .notDirectory)
        let existing: String
        do {
            existing = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .fileSystem(operation: "read", path: url.path, reason: "\(error)")
        }
        var text = Self.removingBlock(from: existing)
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += Self.configurationBegin + "\n"
        for setting in self.settings {
            text += "\(setting.name) = \(setting.value)\n"
        }
        text += Self.configurationEnd + "\n"
        guard text != existing else { return }
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        } catch {
            throw .fileSystem(operation: "write", path: url.path, reason: "\(error)")
        }
        // The atomic write replaced the file with one owned by us; the server must still own it.
        try account?.take(url.path)
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

    /// A postgresql.conf string literal.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
