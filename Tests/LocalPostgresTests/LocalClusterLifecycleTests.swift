import Foundation
import Testing

@testable import LocalPostgres

/// A real cluster in a temporary folder: initialised, started, stopped, restarted and removed.
@Suite struct LocalClusterLifecycleTests {
    @Test func startStatusStopRestartRemove() async throws {
        let cluster = try LocalCluster(
            folder: try TemporaryFolder.make("lifecycle").appending(path: "postgres"),
            binDirectory: TemporaryFolder.binDirectory, durable: false)
        #expect(cluster.status() == .notInitialized)

        // Two callers at once: the lock lets one initialise and start, the other finds it running.
        async let first = cluster.start()
        async let second = cluster.start()
        let endpoints = try await [first, second]
        #expect(endpoints == [cluster.endpoint, cluster.endpoint])
        guard case .running(let pid) = cluster.status() else {
            Issue.record("not running after start: \(cluster.status())")
            return
        }
        #expect(FileManager.default.fileExists(atPath: "\(cluster.socketDirectory)/.s.PGSQL.\(LocalCluster.port)"))
        // The server is told by the directory it works in, whatever the path that names it.
        #expect(LocalCluster.postmasterProcess(pid, serving: cluster.dataDirectory) == .thisServer)
        #expect(LocalCluster.postmasterProcess(pid, serving: cluster.folder) == .stale)
        #expect(LocalCluster.postmasterProcess(getpid(), serving: cluster.dataDirectory) == .stale)
        if getuid() == 0 {
            // As root the server must run as the unprivileged account.
            #expect(Self.userID(of: pid).map { $0 != 0 } == true)
        }

        try await cluster.stop()
        #expect(cluster.status() == .stopped)
        try await cluster.stop()  // stopping a stopped cluster does nothing

        try await cluster.start()  // no second initdb: the data directory is kept
        guard case .running(let restarted) = cluster.status() else {
            Issue.record("not running after restart")
            return
        }
        #expect(restarted != pid)

        try await cluster.remove()
        #expect(!FileManager.default.fileExists(atPath: cluster.folder.path))
        // Gone (a zombie counts as gone: its new parent, init, reaps it in its time).
        #expect(LocalCluster.postmasterProcess(restarted, serving: cluster.dataDirectory) == .stale)
    }

    @Test func removeRefusesAFolderWithForeignFiles() async throws {
        let folder = try TemporaryFolder.make("foreign")
        try Data("keep me".utf8).write(to: folder.appending(path: "notes.txt"))
        let cluster = try LocalCluster(folder: folder, binDirectory: TemporaryFolder.binDirectory, durable: false)
        await #expect(throws: LocalClusterError.self) { try await cluster.remove() }
        #expect(FileManager.default.fileExists(atPath: folder.appending(path: "notes.txt").path))
    }

    /// A `postmaster.pid` left behind is not this cluster's server when its pid is now another cluster's
    /// server (a reboot reused it) or it names no number: `status` says stopped, `stop` leaves the other
    /// server running, and `start` starts this one (PostgreSQL refused while that pid lived).
    @Test func aStalePidFileIsNeitherThisServerNorInTheWay() async throws {
        let folder = try TemporaryFolder.make("stale-pid")
        let other = try LocalCluster(
            folder: folder.appending(path: "other"), binDirectory: TemporaryFolder.binDirectory, durable: false)
        let cluster = try LocalCluster(
            folder: folder.appending(path: "this"), binDirectory: TemporaryFolder.binDirectory, durable: false)
        _ = try await other.start()
        _ = try await cluster.start()
        try await cluster.stop()
        guard case .running(let otherPID) = other.status() else {
            Issue.record("the other cluster is not running: \(other.status())")
            return
        }
        let account = try ServerAccount.forCurrentProcess()
        for content in ["\(otherPID)\n\(other.dataDirectory.path)\n", "no number\n"] {
            // Written as the server would have written it: its account's file.
            let pidFile = cluster.dataDirectory.appending(path: "postmaster.pid")
            try Data(content.utf8).write(to: pidFile)
            if let account { #expect(chown(pidFile.path, account.uid, account.gid) == 0) }
            #expect(cluster.status() == .stopped, "\(content)")
            try await cluster.stop()
            #expect(other.status() == .running(pid: otherPID))
            _ = try await cluster.start()
            guard case .running(let pid) = cluster.status() else {
                Issue.record("not started past \(content): \(cluster.status())")
                break
            }
            #expect(pid != otherPID)
            try await cluster.stop()
        }
        try await cluster.remove()
        try await other.remove()
    }

    // MARK: Helpers

    /// The real user id of a process, from `/proc`.
    static func userID(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
    }
}
