import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Health, readiness, metrics, request ids and what the logs hold.
@Suite(.oneDatabase) struct OperationsTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func healthReadyAndMetrics() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            #expect(try await client.send(.get, "/health", as: nil).decode(Schemas.Status.self).status == "ok")
            #expect(try await client.send(.get, "/ready", as: nil).decode(Schemas.Status.self).status == "ready")
            _ = try await client.send(.get, "/v1/agents", as: owner)
            _ = try await client.send(.get, "/v1/agents/missing", as: owner)
            // The API's port shows nothing of the process: /metrics has a listener of its own.
            #expect(try await client.send(.get, "/metrics", as: nil).isProblem(.notFound))
        }
        let metricsApp = buildMetricsApplication(
            listener: MetricsListener(port: 0), registry: api.registry, logger: api.logger)
        try await metricsApp.test(.live) { client in
            let metrics = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"http_requests_total{route="/v1/agents",method="GET",status="200"} 1"#))
            #expect(text.contains(#"http_requests_total{route="/v1/agents/{agent_id}",method="GET",status="404"} 1"#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
            // Nothing but /metrics answers there.
            #expect(try await client.executeRequest(uri: "/health", method: .get, headers: [:], body: nil).status == .notFound)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.put, "/v1/agents", "GET, HEAD, POST"),
                (.post, "/v1/agents/some-agent", "DELETE, GET, HEAD, PATCH"),
                (.delete, "/health", "GET, HEAD"),
                (.patch, "/v1/messages/m1/cancel", "POST"),
            ]
            for (method, path, allow) in cases {
                let response = try await client.send(method, path, as: owner)
                #expect(response.isProblem(.methodNotAllowed), "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
            }
            // An unknown path is still a 404, and a known method on a known path is untouched.
            #expect(try await client.send(.put, "/v1/nothing-here", as: owner).isProblem(.notFound))
            // An empty segment names nothing: not the shorter path that dropping it would make.
            for path in ["/v1/messages//regenerate", "/v1/agents//conversations"] {
                let response = try await client.send(.post, path, as: owner)
                #expect(response.isProblem(.notFound), "\(path): \(response.status) \(response.text)")
            }
            #expect(try await client.send(.get, "/v1/agents", as: owner).status == .ok)
        }
    }

    /// HEAD wherever GET, as RFC 9110 asks: the GET's status and headers, no body. An export's HEAD starts
    /// no export (no slot, no snapshot, no audit entry).
    @Test func headAnswersWhereverGetDoes() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for (path, tenant) in [("/health", nil), ("/v1/agents", owner), ("/v1/me", owner), ("/v1/me/export", owner)] {
                let head = try await client.exchange(.head, path, headers: tenant?.auth ?? [:])
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
            }
            let export = try await client.exchange(.head, "/v1/me/export", headers: owner.auth)
            #expect(export.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            // Without a valid credential, a HEAD is refused as its GET would be.
            #expect(try await client.exchange(.head, "/v1/me/export").status == .unauthorized)
            let audit = try await client.send(.get, "/v1/audit-log", as: owner).text
            #expect(!audit.contains("account.exported"))
        }
    }

    /// `/ready` needs no credential and has no rate limit: probes at once share one check of the database,
    /// and a check serves the probes of its second, so that a flood of them cannot take the pool.
    @Test func readinessProbesShareOneCheck() async throws {
        final class Checks: Sendable {
            let count = Mutex(0)
        }
        let checks = Checks()
        let probe = ReadinessProbe(freshness: .seconds(60)) {
            checks.count.withLock { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(200))
            return .ready
        }
        let answers = await withTaskGroup(of: Readiness.self) { group in
            for _ in 0..<50 { group.addTask { await probe.readiness() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: .ready, count: 50))
        #expect(await probe.readiness() == .ready)
        #expect(checks.count.withLock { $0 } == 1)
        // Past its freshness, a result is checked again.
        let stale = ReadinessProbe(freshness: .zero) {
            checks.count.withLock { $0 += 1 }
            return .unreachable
        }
        for _ in 0..<3 { #expect(await stale.readiness() == .unreachable) }
        #expect(checks.count.withLock { $0 } == 4)
    }

    /// A check the database does not answer (a frozen host holds it to the statement deadline) leaves its
    /// probes after `answerWithin`, unready, and is not started again meanwhile; its answer counts once it comes.
    @Test func aProbeWaitsForACheckSecondsAtMost() async throws {
        final class Checks: Sendable {
            let count = Mutex(0)
        }
        let checks = Checks()
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let probe = ReadinessProbe(freshness: .zero, answerWithin: .milliseconds(200)) {
            checks.count.withLock { $0 += 1 }
            for await _ in release { break }
            return .ready
        }
        #expect(await probe.readiness() == .unreachable)
        #expect(await probe.readiness() == .unreachable)
        #expect(checks.count.withLock { $0 } == 1)
        releasing.yield()
        releasing.finish()
        var answer = await probe.readiness()
        let deadline = ContinuousClock.now + .seconds(10)
        while answer != .ready, ContinuousClock.now < deadline { answer = await probe.readiness() }
        #expect(answer == .ready)
    }

    @Test func notReadyWhenTheDatabaseIsNotMigrated() async throws {
        let bare = try await TestDatabase.make(migrated: false)
        let app = try await buildApplication(
            store: bare.store, replies: TestReplies.make(store: bare.store), configuration: APIConfiguration(port: 0),
            registry: api.registry, logger: api.logger)
        try await app.test(.router) { client in
            let response = try await client.exchange(.get, "/ready")
            #expect(response.isProblem(.serviceUnavailable))
        }
    }

    @Test func requestIDsAreEchoedOrGenerated() async throws {
        try await api.test { client async throws in
            let given = try await client.exchange(.get, "/health", headers: [.init("X-Request-Id")!: "abc-123"])
            #expect(given.headers[.init("X-Request-Id")!] == "abc-123")
            let odd = try await client.exchange(
                .get, "/health", headers: [.init("X-Request-Id")!: "a b\u{7F}\(String(repeating: "x", count: 300))"])
            let generated = try #require(odd.headers[.init("X-Request-Id")!])
            #expect(generated.count == 36)
            #expect(UUID(uuidString: generated) != nil && Array(generated)[14] == "4")
            let again = try await client.exchange(.get, "/health")
            #expect(again.headers[.init("X-Request-Id")!] != generated)
            let problem = try await client.send(.get, "/v1/me", as: nil)
            #expect(problem.headers[.init("X-Request-Id")!] != nil)
        }
    }

    @Test func everyAnswerForbidsSniffingAndCaching() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for response in [
                try await client.send(.get, "/v1/me", as: owner), try await client.send(.get, "/v1/me", as: nil),
                try await client.send(.get, "/v1/nowhere", as: owner), try await client.exchange(.get, "/health"),
            ] {
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func logLinesCarryTheRequestIDAndNoSecrets() async throws {
        let lines = CapturedLog()
        let logger = lines.logger(level: .info)
        let owner = try await api.makeUser()
        let app = try await buildApplication(
            store: api.db.store, replies: api.replies, configuration: api.configuration, registry: api.registry, logger: logger)
        try await app.test(.router) { client in
            _ = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "s", "api_key": "sk-SECRETKEYSECRETKEY1234"])
            let agentID = try await client.createAgent(as: owner)
            _ = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c/messages", as: owner,
                json: ["role": "user", "content": "PRIVATE-CONTENT"])
            _ = try await client.send(.get, "/v1/me", as: Tenant(id: owner.id, token: "ap_bogus.token"))
        }
        let captured = lines.lines
        // One id per line, the one the response's X-Request-Id gives, which a 500 asks the client to quote.
        let requestLines = captured.filter { $0.contains("request_id=") }
        #expect(!requestLines.isEmpty)
        for line in requestLines {
            // Hummingbird's own id, where a line has it, is the same one (`LogLineHandler` writes it once).
            let ids = line.split(separator: " ").filter { $0.hasPrefix("request_id=") || $0.hasPrefix("hb.request.id=") }
            #expect(Set(ids.map { $0.split(separator: "=").last }).count == 1, "\(line)")
        }
        // The access lines of the tenant's requests name it, though written outside authentication.
        let accessLines = captured.filter { $0.hasPrefix("info request ") && $0.contains("route=/v1/agents ") }
        #expect(!accessLines.isEmpty)
        for line in accessLines { #expect(line.contains("user_id=\(owner.id.rawValue)"), "\(line)") }
        for line in captured {
            SecretCheck.expectAbsent(owner.token, in: line)
            #expect(!line.contains("SECRETKEY"))
            #expect(!line.contains("PRIVATE-CONTENT"))
            #expect(!line.contains("ap_bogus"))
        }
    }
}
