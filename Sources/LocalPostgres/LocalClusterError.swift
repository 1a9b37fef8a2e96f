import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a ``LocalCluster`` operation failed.
///
/// Every case names the problem in words an operator can act on; failed commands carry the tail of
/// their output and of the server log, because "exit status 1" alone is never enough to diagnose.
public enum LocalClusterError: Error, Sendable, CustomStringConvertible {
    /// No PostgreSQL server binaries (`initdb`, `pg_ctl`, `postgres`) were found.
    case binariesNotFound(searched: [String])
    /// Running as root, but there is no `postgres` account to run the server as.
    case noUnprivilegedAccount
    /// The user this process runs as has no name, which peer authentication needs.
    case unnamedUser(uid: uid_t)
    /// The unprivileged server account cannot traverse a directory on the way to the cluster folder.
    case pathNotTraversable(directory: String, account: String)
    /// A file or directory of the cluster is not what the cluster made: a link, another kind of entry,
    /// another owner's, or a file with several names. Nothing was read or changed through it.
    case untrustedFile(path: String, reason: String)
    /// A file system operation failed.
    case fileSystem(operation: String, path: String, reason: String)
    /// A command could not be launched at all.
    case launchFailed(command: String, reason: String)
    /// A command exited unsuccessfully.
    case commandFailed(command: String, status: Int32, output: String, log: LogTail?)
    /// A command did not finish in time and was terminated.
    case timedOut(command: String, seconds: Int, output: String, log: LogTail?)
    /// `pg_ctl` reported success but the server is not running (it died right after starting).
    case serverNotRunning(folder: String, log: LogTail?)

    /// The last lines of a log file, with the file they came from.
    public struct LogTail: Sendable, CustomStringConvertible {
        public var path: String
        public var lines: String

        public var description: String {
            "--- \(self.path) (last lines) ---\n\(self.lines)"
        }
    }

    // MARK: CustomStringConvertible

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return """
                PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; searched: \
                \(searched.joined(separator: ", ")). Install Debian's PostgreSQL server \
                (`apt-get install postgresql`) or set POSTGRES_BIN_DIR to the folder holding initdb.
                """
        case .noUnprivilegedAccount:
            return """
                PostgreSQL refuses to run as root, and run as root the platform starts it as the `postgres` account, \
                which does not exist; create it (`useradd --system --user-group --home-dir /var/lib/postgresql postgres`; \
                Debian's `postgresql` package creates it), or run the platform as an unprivileged user.
                """
        case .unnamedUser(let uid):
            return """
                this process runs as uid \(uid), which has no name in the user database; the local cluster \
                authenticates its clients by their user name (peer), so run as a user with a name.
                """
        case .pathNotTraversable(let directory, let account):
            return """
                the PostgreSQL server runs as user `\(account)`, which cannot enter directory \(directory); \
                grant it search permission (e.g. `chmod o+x \(directory)`) or put the cluster folder elsewhere.
                """
        case .untrustedFile(let path, let reason):
            return """
                refusing to use \(path): \(reason); the local cluster's files must be its own plain files and \
                directories (something else may have been planted there), so inspect it, remove it and try again.
                """
        case .fileSystem(let operation, let path, let reason):
            return "could not \(operation) \(path): \(reason)"
        case .launchFailed(let command, let reason):
            return "could not launch `\(command)`: \(reason)"
        case .commandFailed(let command, let status, let output, let log):
            return Self.report("`\(command)` failed with exit status \(status)", output: output, log: log)
        case .timedOut(let command, let seconds, let output, let log):
            return Self.report("`\(command)` did not finish within \(seconds)s and was terminated", output: output, log: log)
        case .serverNotRunning(let folder, let log):
            return Self.report("PostgreSQL in \(folder) is not running after a successful start", output: "", log: log)
        }
    }

    private static func report(_ headline: String, output: String, log: LogTail?) -> String {
        var text = headline
        if !output.isEmpty {
            text += "\n--- command output (last lines) ---\n\(output)"
        }
        if let log, !log.lines.isEmpty {
            text += "\n\(log)"
        }
        return text
    }
}
