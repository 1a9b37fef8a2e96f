import Foundation
import LocalPostgres
import Synchronization

/// One throwaway PostgreSQL cluster per test process, started on first use and removed at exit.
///
/// Set `TEST_ADMIN_DATABASE_URL` to run the tests against a server of your own instead (a superuser on
/// a scratch server: each suite creates and keeps a database of its own there).
enum TestCluster {
    /// The administrator's URL of the test server, without a database.
    static let adminEndpoint: Result<LocalCluster.Endpoint?, any Error> = Result {
        if ProcessInfo.processInfo.environment["TEST_ADMIN_DATABASE_URL"] != nil { return nil }
        let folder = FileManager.default.temporaryDirectory
            .appending(path: "agent-platform-tests-\(getpid())", directoryHint: .isDirectory)
        let cluster = try LocalCluster(folder: folder, durable: false)
        let endpoint = try cluster.start()
        removal.withLock { $0 = cluster }
        atexit {
            TestCluster.removal.withLock { cluster in
                try? cluster?.remove()
                cluster = nil
            }
        }
        return endpoint
    }

    private static let removal = Mutex<LocalCluster?>(nil)
}
