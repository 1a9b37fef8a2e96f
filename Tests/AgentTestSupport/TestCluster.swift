import AgentStore
import Dispatch
import Foundation
import LocalPostgres
import Synchronization

/// One throwaway PostgreSQL cluster per test process, started on first use and removed at exit.
///
/// Set `TEST_ADMIN_DATABASE_URL` to run the tests against a server of your own instead (a superuser on
/// a scratch server: each suite creates and keeps a database of its own there). `POSTGRES_BIN_DIR`
/// names the PostgreSQL programs, as it does for the platform.
enum TestCluster {
    /// The administrator's endpoint of the test cluster, or nil with `TEST_ADMIN_DATABASE_URL`.
    static func adminEndpoint() async throws -> LocalCluster.Endpoint? {
        if ProcessInfo.processInfo.environment["TEST_ADMIN_DATABASE_URL"] != nil { return nil }
        return try await started.value
    }

    /// Where PostgreSQL's programs are for tests: `POSTGRES_BIN_DIR` when set, else the usual search.
    static var binDirectory: URL? {
        ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"].flatMap {
            $0.isEmpty ? nil : URL(filePath: $0, directoryHint: .isDirectory)
        }
    }

    /// Started once, on first use; a global's initialiser runs exactly once.
    private static let started = Task<LocalCluster.Endpoint, any Error> {
        let folder = FileManager.default.temporaryDirectory
            .appending(path: "agent-platform-tests-\(getpid())", directoryHint: .isDirectory)
        // The suites connect as the superuser and as the platform's runtime login (peer-mapped to us).
        let cluster = try LocalCluster(
            folder: folder, binDirectory: binDirectory, clientRoles: [PlatformDatabase.runtimeLogin], durable: false)
        let endpoint = try await cluster.start()
        removal.withLock { $0 = cluster }
        atexit { TestCluster.removeAtExit() }
        return endpoint
    }

    private static let removal = Mutex<LocalCluster?>(nil)

    /// Stops and deletes the cluster. At exit nothing awaits, so this blocks on a task, for at most 90 s.
    /// Swift Testing calls `exit` from one of the concurrency pool's threads, which this blocks; the
    /// removal runs on another (the pool has one per core; on a single core, the wait runs out instead).
    private static func removeAtExit() {
        guard
            let cluster = removal.withLock({ cluster in
                defer { cluster = nil }
                return cluster
            })
        else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            try? await cluster.remove()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 90)
    }
}
