import Foundation

extension ServerAccount {
    /// Throws ``LocalClusterError/pathNotTraversable(directory:account:)`` naming the first of
    /// `directories` this account cannot enter.
    ///
    /// Asks the account itself (via `sh`) rather than reading mode bits, so groups and ACLs count.
    func checkCanTraverse(_ directories: [String]) async throws(LocalClusterError) {
        guard !directories.isEmpty else { return }
        let script = #"for d do [ -x "$d" ] || { printf '%s\n' "$d"; exit 3; }; done"#
        let outcome = try await ClusterCommand(
            arguments: ["/bin/sh", "-c", script, "sh"] + directories,
            directory: URL(filePath: "/", directoryHint: .isDirectory),
            timeout: .seconds(30),
            account: self
        ).run()
        switch outcome.status {
        case 0:
            return
        case 3:
            let directory = outcome.output.split(separator: "\n").last.map(String.init) ?? directories[0]
            throw .pathNotTraversable(directory: directory, account: self.name)
        default:
            throw .commandFailed(
                command: "/bin/sh (access check as \(self.name))",
                status: outcome.status,
                output: TextTail.lastLines(of: outcome.output),
                log: nil
            )
        }
    }

    /// `/`, then every directory down to and including the parent of `path`.
    static func ancestors(of path: String) -> [String] {
        var result: [String] = ["/"]
        var current = ""
        for component in path.split(separator: "/").dropLast() {
            current += "/\(component)"
            result.append(current)
        }
        return result
    }
}
