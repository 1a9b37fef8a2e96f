import AgentStore
import AgentTestSupport
import NIOCore
import NIOPosix
import Testing

/// `serve` waits at start for the database it must migrate: what may pass is tried again within the
/// patience, and what waiting cannot change fails at once.
@Suite struct DatabaseStartWaitTests {
    /// A database that starts listening while the server waits is reached, after at least one retry.
    @Test func aDatabaseThatComesUpDuringTheWaitIsReached() async throws {
        let db = try await TestDatabase.make()
        let port = try await Self.freePort()
        let log = CapturedLog()
        let waiting = Task {
            try await Self.url(to: db.adminURL, port: port).waitUntilReachable(patience: .seconds(120), logger: log.logger())
        }
        for _ in 0..<600 where !log.lines.contains(where: { $0.contains("trying again") }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(log.lines.contains { $0.contains("trying again") })
        let proxy = try await DatabaseProxy.start(to: db.adminURL, port: port, silentAfterLogin: false)
        defer { Task { await proxy.stop() } }
        try await waiting.value
        #expect(proxy.logins >= 1)
    }

    /// Nothing listening: given up once the patience has passed, saying so.
    @Test func aDatabaseThatNeverAnswersIsGivenUpAfterThePatience() async throws {
        let db = try await TestDatabase.make()
        let url = try Self.url(to: db.adminURL, port: try await Self.freePort())
        let log = CapturedLog()
        let error = await #expect(throws: DatabaseUnreachable.self) {
            try await url.waitUntilReachable(patience: .seconds(5), logger: log.logger())
        }
        #expect(error?.description.contains("still after 5 seconds of trying") == true)
        // At least once: a loaded machine may leave room for one retry only within the 5 s.
        #expect(log.lines.filter { $0.contains("trying again") }.count >= 1)
    }

    /// A database that does not exist is not waited for: the server answered, and will answer the same.
    @Test func aMissingDatabaseFailsWithoutWaiting() async throws {
        let db = try await TestDatabase.make()
        let missing = try DatabaseURL(db.adminURL.replacing(database: "no_such_database"))
        let log = CapturedLog()
        let error = await #expect(throws: DatabaseUnreachable.self) {
            try await missing.waitUntilReachable(patience: .seconds(120), logger: log.logger())
        }
        #expect(error?.description.contains("3D000") == true)
        #expect(!log.lines.contains { $0.contains("trying again") })
    }

    /// `url`'s login and database on 127.0.0.1 at `port`, without TLS.
    private static func url(to url: DatabaseURL, port: Int) throws -> DatabaseURL {
        let password = url.password.map { ":\($0)" } ?? ""
        return try DatabaseURL("postgresql://\(url.user)\(password)@127.0.0.1:\(port)/\(url.database)?sslmode=disable")
    }

    /// A port nothing listens on now: one the kernel gave a listener that is closed again.
    private static func freePort() async throws -> Int {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        return port
    }
}
