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
        guard FileManager.default.fileExists(atPath: self.dataDirectory.appending(path: "PG_VERSION").path) else {
            return .notInitialized
        }
        guard let head = self.pidFile(), let (pid, process) = self.pidFileProcess(head),
            process == .thisServer || process == .unverified
        else { return .stopped }
        return .running(pid: pid)
    }

    /// Whether `postmaster.pid` is there and provably names no server of this cluster: no number, a pid no
    /// process has, a zombie, or a process working in another directory. PostgreSQL refuses to start past
    /// such a file while its pid lives (a zombie does, until reaped), or stops at a file with no number.
    func hasStalePidFile() -> Bool {
        guard let file = self.pidFile() else { return false }
        guard let (_, process) = self.pidFileProcess(file) else { return true }
        return process == .stale
    }

    /// What the process `postmaster.pid` (its start, `head`) names is; nil when the file holds no pid.
    private func pidFileProcess(_ head: String) -> (pid: Int32, process: PostmasterProcess)? {
        guard let firstLine = head.split(separator: "\n").first,
            let pid = Int32(firstLine.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return nil }
        return (pid, Self.postmasterProcess(pid, serving: self.dataDirectory))
    }

    /// The start of `postmaster.pid`; nil when there is none. postmaster.pid outlives a crashed server, so a
    /// pid in it only counts if that process is alive. It is read as every file the server account can change
    /// is: through descriptors below the folder, never through a link, a regular file of that account's (a
    /// FIFO in its place would block the read for ever), and its first 4 KiB at most (a link to /dev/zero
    /// would not end).
    private func pidFile() -> String? {
        let account = try? ServerAccount.forCurrentProcess()
        guard
            let file = try? self.openData(account: account)
                .open("postmaster.pid", .regularFile, owners: Self.serverOwners(account)),
            let head = try? file.head(bytes: 4096)
        else { return nil }
        return String(decoding: head, as: UTF8.self)
    }

    /// What a process named by `postmaster.pid` is, as far as this process can tell.
    enum PostmasterProcess: Equatable {
        /// It works in this cluster's data directory: this cluster's server.
        case thisServer
        /// A PostgreSQL server whose directory cannot be read (another account's, without privileges; no
        /// /proc): taken for this cluster's, as PostgreSQL itself would.
        case unverified
        /// Alive, but by its name no PostgreSQL server (a recycled pid), its directory unread: not counted as
        /// running, though not provably stale either.
        case otherProgram
        /// Provably not this cluster's server: no such process, a zombie (a server killed a moment ago, not
        /// yet reaped, which neither answers nor holds the port), or a process working in another directory
        /// (after a reboot the pid may be another cluster's server, which `stop` would then stop).
        case stale
    }

    /// What `pid` is, for the cluster of `dataDirectory`. Directories are compared by device and inode, as
    /// the kernel resolves `/proc/<pid>/cwd`, so links and bind mounts name the same directory.
    static func postmasterProcess(_ pid: Int32, serving dataDirectory: URL) -> PostmasterProcess {
        guard kill(pid, 0) == 0 || errno == EPERM else { return errno == ESRCH ? .stale : .unverified }
        guard let line = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return .unverified }
        // `pid (name) state ...`: the name may hold any character, a parenthesis included.
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return .unverified }
        let state = line[line.index(after: close)...].drop { $0 == " " }.first
        if state == "Z" || state == "X" { return .stale }
        var directory = stat()
        var data = stat()
        if stat("/proc/\(pid)/cwd", &directory) == 0, stat(dataDirectory.path, &data) == 0 {
            return directory.st_dev == data.st_dev && directory.st_ino == data.st_ino ? .thisServer : .stale
        }
        let name = line[line.index(after: open)..<close]
        return name == "postgres" || name == "postmaster" ? .unverified : .otherProgram
    }
}
