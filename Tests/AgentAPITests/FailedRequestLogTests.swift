import AgentConsole
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import AgentAPI

/// A database that is away fails every request with a 503, and the log says so once per interval with a
/// count, rather than once per request; other server failures are still logged one by one, by type.
@Suite(.oneDatabase) struct FailedRequestLogTests {
    let api: TestAPI

    init() async throws { api = try await TestAPI.make() }

    @Test func anOutageIsOneLineForManyRequests() async throws {
        let owner = try await api.makeUser()
        let log = CapturedLog()
        let app = try await api.applicationWithTheDatabaseAway(logger: log.logger(level: .info)).app
        try await app.test(.router) { client async throws in
            for _ in 0..<20 {
                let refused = try await client.send(.get, "/v1/agents", as: owner)
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "2")
            }
            let completion = try await client.send(
                .post, "/v1/chat/completions", as: owner,
                json: ["model": "agent:\(UUID().uuidString.lowercased())", "messages": [["role": "user", "content": "hi"]]])
            #expect(completion.status == .serviceUnavailable)
            #expect(completion.headers[.retryAfter] == "2")
        }
        let outage = log.lines.filter { $0.contains("requests answered 503") }
        #expect(outage.count == 1, "\(log.lines)")
        #expect(outage.first?.hasPrefix("warning") == true)
        #expect(outage.first?.contains("cause=the test took the database away") == true)
        #expect(outage.first?.contains("answered=1") == true)
        #expect(!log.lines.contains { $0.hasPrefix("error") }, "\(log.lines)")
    }

    /// A readiness probe polled while the database is away says so in its own line, once per interval.
    @Test func probesOfAnUnreadyServerAreOneLine() async throws {
        let log = CapturedLog()
        let app = try await api.applicationWithTheDatabaseAway(logger: log.logger(level: .info)).app
        try await app.test(.router) { client async throws in
            for _ in 0..<5 { #expect(try await client.send(.get, "/ready", as: nil).status == .serviceUnavailable) }
        }
        let outage = log.lines.filter { $0.contains("requests answered 503") }
        #expect(outage.count == 1, "\(log.lines)")
        #expect(outage.first?.contains("cause=The database is unreachable.") == true, "\(log.lines)")
        #expect(!log.lines.contains { $0.hasPrefix("error") }, "\(log.lines)")
    }

    /// The console's pages, whose session is checked in the database, say the outage as a page, and log it
    /// as the API does.
    @Test func aConsolePageDuringAnOutageIsAPage() async throws {
        let owner = try await api.makeUser()
        var console = api
        console.companions = [try WebConsole()]
        let session = try await console.test { client in
            let browser = ConsoleBrowser(client)
            _ = try await browser.signIn(owner.token)
            return try #require(browser.cookies["ap_session"])
        }
        let log = CapturedLog()
        let (app, _) = try await api.applicationWithTheDatabaseAway(
            logger: log.logger(level: .info), companions: [try WebConsole()])
        try await app.test(.router) { client in
            for _ in 0..<3 {
                let page = try await client.executeRequest(
                    uri: "/agents", method: .get, headers: [.cookie: "ap_session=\(session)"], body: nil)
                #expect(page.status == .serviceUnavailable)
                #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: page.body).contains("Service unavailable"))
            }
        }
        #expect(log.lines.filter { $0.contains("requests answered 503") }.count == 1, "\(log.lines)")
        #expect(!log.lines.contains { $0.hasPrefix("error") }, "\(log.lines)")
    }

    @Test func theNextLineCountsTheRequestsSinceTheLast() async throws {
        let log = CapturedLog()
        let logger = log.logger(level: .info)
        let failures = FailedRequestLog(outageInterval: .milliseconds(300))
        for _ in 0..<5 { failures.record(StoreError.unavailable(reason: "test"), as: .unavailable(), logger: logger) }
        try await Task.sleep(for: .milliseconds(400))
        failures.record(StoreError.unavailable(reason: "test"), as: .unavailable(), logger: logger)
        let counts = log.lines.filter { $0.contains("requests answered 503") }.map {
            $0.split(separator: " ").first { $0.hasPrefix("answered=") }.map(String.init)
        }
        // The first request of the outage, then the four unlogged since it and the one after the interval.
        #expect(counts == ["answered=1", "answered=5"])
    }

    @Test func causesBeyondTheBoundShareALine() {
        let log = CapturedLog()
        let failures = FailedRequestLog()
        let logger = log.logger(level: .info)
        for index in 0..<(FailedRequestLog.maximumCauses + 6) {
            failures.record(StoreError.unavailable(reason: "cause \(index)"), as: .unavailable(), logger: logger)
        }
        let lines = log.lines.filter { $0.contains("requests answered 503") }
        #expect(lines.count == FailedRequestLog.maximumCauses + 1)
        #expect(lines.last?.contains("cause=other causes") == true, "\(lines.suffix(2))")
    }

    struct FailureHoldingData: Error, CustomStringConvertible {
        var description: String { "sk-secret-in-the-description" }
    }

    @Test func otherFailuresAreLoggedEachByTypeAlone() {
        let log = CapturedLog()
        let logger = log.logger(level: .info)
        let failures = FailedRequestLog()
        failures.record(FailureHoldingData(), as: .internalError(), logger: logger)
        failures.record(FailureHoldingData(), as: .internalError(), logger: logger)
        failures.record(FailureHoldingData(), as: .notFound("agent"), logger: logger)
        #expect(log.lines.filter { $0.hasPrefix("error request failed") }.count == 2, "\(log.lines)")
        #expect(log.lines.allSatisfy { $0.contains("FailureHoldingData") }, "\(log.lines)")
        #expect(!log.lines.contains { $0.contains("sk-secret") })
    }

    /// A model provider's failures of tenants' requests (a 502 of a connection's models, say) are the
    /// provider's, not the platform's: no error line each, but one warning per problem type and interval
    /// with their count, so that every tenant's calls failing at once still shows.
    @Test func aProvidersFailuresAreOneWarningPerTypeNotErrors() {
        let log = CapturedLog()
        let failures = FailedRequestLog()
        let problem = Problem(.badGateway, slug: "provider-rejected", title: "Provider refused", detail: "refused")
        for _ in 0..<5 { failures.record(FailureHoldingData(), as: problem, logger: log.logger(level: .info)) }
        #expect(!log.lines.contains { $0.hasPrefix("error") }, "\(log.lines)")
        let warnings = log.lines.filter { $0.hasPrefix("warning requests answered 502") }
        #expect(warnings.count == 1 && warnings.first?.contains("provider-rejected") == true, "\(log.lines)")
        #expect(!log.lines.contains { $0.contains("sk-secret") })
    }

    /// A database's error is logged with its SQL state, which tells a missing migration from a refused
    /// policy, and still without its message, which may quote a row.
    @Test func aDatabaseFailureIsLoggedWithItsSQLState() async throws {
        let log = CapturedLog()
        let failures = FailedRequestLog()
        let query: PostgresQuery = "SELECT * FROM table_named_sk_secret_value"
        let alone = await #expect(throws: (any Error).self) { try await api.db.admin.query(query) }
        // Inside a transaction, as the store runs most of its statements, the error comes wrapped.
        let wrapped = await #expect(throws: PostgresTransactionError.self) {
            try await api.db.admin.withTransaction(logger: api.db.logger) { try await $0.query(query, logger: api.db.logger) }
        }
        for error in [alone, wrapped] {
            failures.record(try #require(error), as: .internalError(), logger: log.logger(level: .info))
        }
        let lines = log.lines.filter { $0.hasPrefix("error request failed") && $0.contains("database_code=42P01") }
        #expect(lines.count == 2, "\(log.lines)")
        #expect(!log.lines.contains { $0.contains("sk_secret") })
    }
}
