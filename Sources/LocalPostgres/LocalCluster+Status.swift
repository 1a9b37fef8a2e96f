import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension LocalCluster {
    /// Whether a cluster exists and runs.
    public enum Status: Sendable, Hashable {
        /// initdb has not completed in the folder.
        case notInitialized
        /// The cluster exists but no server is running.
        case stopped
        /// The postmaster with this process id is running.
        case running(pid: Int32)
    }

    /// The cluster's current status, read from PGDATA without taking the lock.
    public func status() -> Status {
        let data = self.dataDirectory
        guard FileManager.default.fileExists(atPath: data.appending(path: "PG_VERSION").path) else {
            return .notInitialized
        }
        // postmaster.pid outlives a crashed server, so a pid in it only counts if that process is alive. It is
        // read as every file the server account can change is: through descriptors below the folder, never
        // through a link, a regular file of that account's (a FIFO in its place would block the read for
        // ever), and its first 4 KiB at most (a link to /dev/zero would not end).
        let account = try? ServerAccount.forCurrentProcess()
        guard
            let file = try? self.openData(account: account)
                .open("postmaster.pid", .regularFile, owners: Self.serverOwners(account)),
            let head = try? file.head(bytes: 4096),
            let firstLine = String(decoding: head, as: UTF8.self).split(separator: "\n").first,
            let pid = Int32(firstLine.trimmingCharacters(in: .whitespaces)), pid > 0,
            Self.isPostmaster(pid)
        else {
            return .stopped
        }
        return .running(pid: pid)
    }

    /// Whether `pid` is alive and, where /proc tells, a PostgreSQL server rather than a recycled pid.
    static func isPostmaster(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return true }
        let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
        return name == "postgres" || name == "postmaster"
    }
}
