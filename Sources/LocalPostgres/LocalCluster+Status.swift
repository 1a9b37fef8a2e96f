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
            Self.isPostmaster(pid, serving: data)
        else {
            return .stopped
        }
        return .running(pid: pid)
    }

    /// Whether `pid` is alive and, where /proc tells, the server of `dataDirectory`: not a server killed a
    /// moment ago and not yet reaped (a zombie, which neither answers nor holds the port), and not a recycled
    /// pid, whether another program's or another cluster's server (after a reboot, a stale `postmaster.pid`
    /// may name the server of another cluster, which `stop` would then stop).
    static func isPostmaster(_ pid: Int32, serving dataDirectory: URL) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // `pid (name) state ...`: the name may hold any character, a parenthesis included.
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let name = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        guard name == "postgres" || name == "postmaster", state != "Z", state != "X" else { return false }
        // The server works in its data directory, and is started with it as `-D` (its command line is
        // readable where its working directory is not: another account's process, without privileges).
        let expected = dataDirectory.resolvingSymlinksInPath().path
        if let workingDirectory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") {
            return workingDirectory == expected
        }
        guard let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let flag = arguments.firstIndex(of: "-D"), flag + 1 < arguments.count else { return false }
        return URL(fileURLWithPath: arguments[flag + 1]).resolvingSymlinksInPath().path == expected
    }
}
