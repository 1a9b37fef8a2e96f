import AgentSecrets
import AgentStore
import Foundation
import LocalPostgres
import Logging
import PostgresNIO
import Synchronization
import Testing

/// A fresh, migrated database for one suite, with two pools: the runtime role's (under row-level
/// security) and the administrator's (for setting up and inspecting).
public struct TestDatabase: Sendable {
    public let name: String
    public let adminURL: DatabaseURL
    public let runtimeURL: DatabaseURL
    public let admin: PostgresClient
    public let runtime: PostgresClient
    public let store: AgentStore
    public let keyring: Keyring
    public let logger: Logger
    /// The pools' `run()` tasks, ended by `drop()`.
    let running: [Task<Void, Never>]

    /// The database of the running suite, when the suite has the `.oneDatabase` trait.
    @TaskLocal public static var ofSuite: TestDatabase?

    /// A keyring with a fixed test key (never a real secret).
    public static let testKeyring: Keyring = try! TestKeys.keyring("test1", TestKeys.store)

    /// Creates a new database on the test cluster and migrates it.
    public static func make(migrated: Bool = true, keyring: Keyring = testKeyring) async throws -> TestDatabase {
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
        let base = try await baseAdminURL()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let adminURL = try DatabaseURL(try DatabaseURL(base).replacing(database: name))
        try await PlatformDatabase.create(name, admin: try DatabaseURL(base), logger: logger)
        let admin = PostgresClient(configuration: adminURL.clientConfiguration(maxConnections: 4), backgroundLogger: logger)
        let adminRun = Task { await admin.run() }
        if migrated {
            try await PlatformDatabase.migrateAndEnsureRuntimeLogin(admin: admin, logger: logger)
        }
        let runtimeURL = try DatabaseURL(adminURL.replacing(user: PlatformDatabase.runtimeLogin))
        let runtime = PostgresClient(configuration: runtimeURL.clientConfiguration(maxConnections: 8), backgroundLogger: logger)
        let runtimeRun = Task { await runtime.run() }
        return TestDatabase(
            name: name, adminURL: adminURL, runtimeURL: runtimeURL, admin: admin, runtime: runtime,
            store: AgentStore(client: runtime, keyring: keyring, logger: logger), keyring: keyring, logger: logger,
            running: [adminRun, runtimeRun])
    }

    /// Shuts the pools down and drops the database, disconnecting what is still connected. A drop that
    /// fails is a test failure.
    ///
    /// A CI rehearsal's main pass hung with every test passed and one suite never ending, in this teardown:
    /// a pool's `run()` that never returned (most likely a keep-alive ping met by the pool's shutdown, now
    /// turned off; see `DatabaseURL.clientConfiguration`). So the teardown stays bounded: past 90 s it is
    /// abandoned, the database left to the cluster's removal at exit, and stderr says which one and how far
    /// the teardown got.
    public func drop() async {
        let (name, adminURL, logger, running) = (name, adminURL, logger, running)
        // Where the teardown stands, for the line that says it did not finish.
        let stage = Mutex("the pools' run() had not returned")
        let outcome = await Self.outcome(within: .seconds(90)) { () -> String? in
            for run in running { run.cancel() }
            for (index, run) in running.enumerated() {
                await run.value
                stage.withLock { $0 = "\(index + 1) of \(running.count) pools had stopped" }
            }
            stage.withLock { $0 = "the pools had stopped; the drop had not returned" }
            do {
                try await PlatformDatabase.drop(
                    name, admin: try DatabaseURL(adminURL.replacing(database: "postgres")), logger: logger)
                return nil
            } catch {
                return "\(error)"
            }
        }
        switch outcome {
        case nil:
            let reached = stage.withLock { $0 }
            FileHandle.standardError.write(
                Data("TestDatabase: \(name) was not shut down and dropped within 90 s (\(reached))\n".utf8))
        case let failure??:
            Issue.record("TestDatabase: \(name) could not be dropped: \(failure)")
        case .some(nil):
            break
        }
    }

    /// What `body` returned, or nil when it did not finish within `limit`. Awaiting a task ignores
    /// cancellation, so `body` and the clock race outside any task group, which would wait for the loser;
    /// a `body` that never ends is left suspended, holding only what it held.
    private static func outcome<Value: Sendable>(
        within limit: Duration, _ body: @escaping @Sendable () async -> Value
    ) async -> Value? {
        let decided = Mutex(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
            let decide = { @Sendable (value: Value?) in
                let first = decided.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            let clock = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                decide(nil)
            }
            Task {
                let value = await body()
                clock.cancel()
                decide(value)
            }
        }
    }

    /// Where PostgreSQL's programs are, for a suite that runs a cluster of its own.
    public static var clusterBinDirectory: URL? { TestCluster.binDirectory }

    private static func baseAdminURL() async throws -> String {
        if let url = ProcessInfo.processInfo.environment["TEST_ADMIN_DATABASE_URL"] { return url }
        guard let endpoint = try await TestCluster.adminEndpoint() else {
            throw StoreError.unavailable(reason: "no test cluster")
        }
        return endpoint.url(user: endpoint.superuser, database: "postgres")
    }

    // MARK: Conveniences

    /// Creates a user (through the runtime role, as the platform does) and returns its id.
    public func makeUser(_ label: String = "user") async throws -> UserID {
        try await store.createUser(NewUser(email: "\(label)-\(UUID().uuidString.prefix(8))@example.test")).id
    }

    /// Runs raw SQL as the runtime role inside a tenant's transaction: what a compromised or careless
    /// application could send.
    public func asTenant<Result: Sendable>(
        _ userID: UserID?, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await runtime.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                if let userID {
                    try await connection.query(
                        "SELECT set_config('app.current_user_id', \(userID.rawValue), true)", logger: logger)
                }
                let result = try await body(connection)
                try await connection.query("ROLLBACK", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
