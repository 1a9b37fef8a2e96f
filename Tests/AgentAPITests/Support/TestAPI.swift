import AgentAPI
import AgentProviders
import AgentReplies
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus

/// One suite's API over its own fresh database, with helpers for users, tokens and JSON requests.
struct TestAPI: Sendable {
    let db: TestDatabase
    let registry: PrometheusCollectorRegistry
    var configuration: APIConfiguration
    let replies: ReplyGenerator
    /// Served beside the API (the web console, in its tests).
    var companions: [any APICompanion] = []

    static func make(
        jwt: JWTConfiguration? = nil, maximumBodySize: Int = 1024 * 1024, replySettings: ReplySettings = ReplySettings(),
        providerTimeouts: ProviderTimeouts = ProviderTimeouts(), idleTimeout: Duration = .seconds(30),
        rateLimits: RateLimits = .off, maximumConcurrentExports: Int = 2, longestExport: Duration = .seconds(900),
        replyLogger: Logger? = nil, database: TestDatabase? = nil
    ) async throws -> TestAPI {
        let db: TestDatabase
        if let database {
            db = database
        } else if let shared = TestDatabase.ofSuite {
            db = shared
        } else {
            db = try await TestDatabase.make()
        }
        var configuration = APIConfiguration(
            hostname: "127.0.0.1", port: 0, maximumBodySize: maximumBodySize, idleTimeout: idleTimeout, jwt: jwt)
        configuration.rateLimits = rateLimits
        configuration.maximumConcurrentExports = maximumConcurrentExports
        configuration.longestExport = longestExport
        // One registry for the API's metrics and the provider calls', as `serve` has.
        let registry = PrometheusCollectorRegistry()
        return TestAPI(
            db: db, registry: registry, configuration: configuration,
            replies: TestReplies.make(
                store: db.store, settings: replySettings, timeouts: providerTimeouts,
                metrics: ProviderCallMetrics(factory: PrometheusMetricsFactory.platform(registry: registry)), logger: replyLogger)
        )
    }

    /// What `/metrics` shows, read over its own listener.
    func metricsText() async throws -> String {
        let metricsApp = buildMetricsApplication(listener: MetricsListener(port: 0), registry: registry, logger: logger)
        return try await metricsApp.test(.live) { client in
            String(buffer: try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil).body)
        }
    }

    var logger: Logger {
        var logger = Logger(label: "api-test")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `test` against the application, in memory (`.router`) or over a socket (`.live`), logging to
    /// `logger` (by default warnings and worse, to the console).
    func test<Value: Sendable>(
        _ setup: TestingSetup = .router, logger: Logger? = nil,
        _ test: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let app = try await buildApplication(
            store: db.store, replies: replies, configuration: configuration, services: [], companions: companions,
            registry: registry, logger: logger ?? self.logger)
        return try await app.test(setup) { client in try await test(client) }
    }

    /// Runs `body` while this instance's replies stop when another instance publishes their cancel, as
    /// under `serve`; the listener must end when told to.
    func receivingCancels<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        let receiving = Task { await replies.receiveCancels() }
        do {
            let value = try await body()
            receiving.cancel()
            await receiving.value
            return value
        } catch {
            receiving.cancel()
            await receiving.value
            throw error
        }
    }

    /// A new user and a personal API token of theirs.
    func makeUser(_ label: String = "user") async throws -> Tenant {
        let id = try await db.makeUser(label)
        let token = try await db.store.withTenant(id) { try await $0.createToken(name: "test") }
        return Tenant(id: id, token: token.value)
    }
}

/// A user of a test, with the bearer token that speaks for them.
struct Tenant: Sendable {
    let id: UserID
    let token: String

    var auth: HTTPFields { [.authorization: "Bearer \(token)"] }
    var jsonAuth: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}
