import AgentAPI
import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// The API's rate limits answer 429 with `Retry-After` before anything else runs: per client address, per
/// credential, and for an address whose credentials keep failing.
@Suite(.oneDatabase) struct RateLimitTests {
    @Test func anAddressOverItsRateIsTold429AndWhenToRetry() async throws {
        // A token every 100 s: four requests never take that long, however loaded the machine (20 s did, once).
        let api = try await TestAPI.make(rateLimits: RateLimits(perAddress: .init(perSecond: 0.01, burst: 3)))
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            for _ in 0..<3 { #expect(try await client.send(.get, "/v1/me", as: owner).status == .ok) }
            let refused = try await client.send(.get, "/v1/me", as: owner)
            #expect(refused.isProblem(.tooManyRequests))
            #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { (1...100).contains($0) } == true)
        }
    }

    @Test func aCredentialOverItsRateDoesNotStopAnother() async throws {
        // A token every 1,000 s: at one every 10 s, a CI rehearsal's three requests took long enough to earn one.
        let api = try await TestAPI.make(rateLimits: RateLimits(perCredential: .init(perSecond: 0.001, burst: 2)))
        let busy = try await api.makeUser("busy")
        let calm = try await api.makeUser("calm")
        try await api.test(.live) { client async throws in
            for _ in 0..<2 { #expect(try await client.send(.get, "/v1/me", as: busy).status == .ok) }
            #expect(try await client.send(.get, "/v1/me", as: busy).isProblem(.tooManyRequests))
            #expect(try await client.send(.get, "/v1/me", as: calm).status == .ok)
        }
    }

    @Test func oneTokenWrittenDifferentlyIsOneCredential() async throws {
        let api = try await TestAPI.make(rateLimits: RateLimits(perCredential: .init(perSecond: 0.001, burst: 2)))
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            var answers: [HTTPResponse.Status] = []
            for scheme in ["Bearer ", "bearer ", "Bearer   "] {
                let headers: HTTPFields = [.authorization: scheme + owner.token]
                answers.append(try await client.exchange(.get, "/v1/me", headers: headers).status)
            }
            #expect(answers == [.ok, .ok, .tooManyRequests])
        }
    }

    @Test func anAddressWhoseCredentialsKeepFailingIsHeldOff() async throws {
        let api = try await TestAPI.make(rateLimits: RateLimits(failedAuthentications: .init(perSecond: 0.01, burst: 3)))
        let owner = try await api.makeUser()
        let guesser = Tenant(id: owner.id, token: String(owner.token.dropLast(4)) + "abcd")
        try await api.test(.live) { client async throws in
            for _ in 0..<3 { #expect(try await client.send(.get, "/v1/me", as: guesser).isProblem(.unauthorized)) }
            // Now even a valid token from that address waits: guessing costs time, and the database nothing.
            let held = try await client.send(.get, "/v1/me", as: owner)
            #expect(held.isProblem(.tooManyRequests) && held.headers[.retryAfter] != nil)
        }
    }

    /// A request refused by another limit before its credential is checked gives back the failure it held:
    /// each such 429 spent one of its address's failures, so a client over its own rate, at an address where
    /// someone once mistyped a token, locked out every other client there.
    @Test func aRequestOverAnotherLimitGivesBackTheFailureItHeld() async throws {
        let api = try await TestAPI.make(
            rateLimits: RateLimits(
                perCredential: .init(perSecond: 0.001, burst: 2), failedAuthentications: .init(perSecond: 0.001, burst: 3)))
        let busy = try await api.makeUser("busy")
        let calm = try await api.makeUser("calm")
        let mistyped = Tenant(id: calm.id, token: String(calm.token.dropLast(4)) + "abcd")
        try await api.test(.live) { client async throws in
            #expect(try await client.send(.get, "/v1/me", as: mistyped).status == .unauthorized)
            for _ in 0..<2 { #expect(try await client.send(.get, "/v1/me", as: busy).status == .ok) }
            for _ in 0..<5 { #expect(try await client.send(.get, "/v1/me", as: busy).status == .tooManyRequests) }
            #expect(try await client.send(.get, "/v1/me", as: calm).status == .ok)
        }
    }

    /// Addresses as proxies and dual-stack listeners write them: an IPv4 address written as IPv6 is the
    /// IPv4 address (a proxy listed as `10.0.0.5` connects as `::ffff:10.0.0.5`), and a port is no part of it.
    @Test func addressesAreReadAsProxiesWriteThem() {
        #expect(RateLimits.normalizedAddress("::ffff:10.0.0.5") == "10.0.0.5")
        #expect(RateLimits.normalizedAddress(" [2001:db8::1]:443") == "2001:db8::1")
        #expect(RateLimits.normalizedAddress("192.0.2.1:8080") == "192.0.2.1")
        #expect(RateLimits.normalizedAddress("2001:db8::1") == "2001:db8::1")
        #expect(RateLimits.normalizedAddress("unknown") == nil)
    }

    /// Guesses sent at once from an address that failed lately cannot outrun its bucket: each holds one of
    /// the failures left while it runs. (Checked at the start and charged at the 401, all ten passed.)
    @Test func concurrentGuessesAreHeldToTheFailuresLeft() async throws {
        let api = try await TestAPI.make(rateLimits: RateLimits(failedAuthentications: .init(perSecond: 0.001, burst: 5)))
        let owner = try await api.makeUser()
        let guesser = Tenant(id: owner.id, token: String(owner.token.dropLast(4)) + "abcd")
        try await api.test(.live) { client async throws in
            #expect(try await client.send(.get, "/v1/me", as: guesser).status == .unauthorized)
            // Ten connections at once (the test client's own requests take turns on one).
            let live = LiveRequest(port: try #require(client.port), tenant: guesser)
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await live.get("/v1/me").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0 == 401 }.count <= 4, "\(answers)")
            #expect(answers.allSatisfy { $0 == 401 || $0 == 429 }, "\(answers)")
        }
        // A valid credential from an address that failed once is served, and gives its held failure back.
        let clean = try await TestAPI.make(rateLimits: RateLimits(failedAuthentications: .init(perSecond: 0.001, burst: 3)))
        let user = try await clean.makeUser()
        let mistyped = Tenant(id: user.id, token: String(user.token.dropLast(4)) + "abcd")
        try await clean.test(.live) { client async throws in
            #expect(try await client.send(.get, "/v1/me", as: mistyped).status == .unauthorized)
            for _ in 0..<5 { #expect(try await client.send(.get, "/v1/me", as: user).status == .ok) }
            #expect(try await client.send(.get, "/v1/me", as: mistyped).status == .unauthorized)
        }
    }

    /// Behind a trusted proxy, the limits count the client the proxy names in `X-Forwarded-For`: one
    /// client's failed tokens do not hold off every other client of the proxy. From anyone else the header
    /// is ignored, so a client cannot name itself afresh to get past its limit.
    @Test func behindATrustedProxyTheForwardedClientIsCounted() async throws {
        let failing = RateLimits.Rate(perSecond: 0.01, burst: 2)
        for trusted in [true, false] {
            let api = try await TestAPI.make(
                rateLimits: RateLimits(failedAuthentications: failing, trustedProxies: trusted ? ["127.0.0.1"] : []))
            let user = try await api.makeUser()
            let guesser = Tenant(id: user.id, token: String(user.token.dropLast(4)) + "abcd")
            try await api.test(.live) { client async throws in
                func send(_ tenant: Tenant, from address: String) async throws -> TestResponse {
                    var headers = tenant.auth
                    headers[RateLimits.forwardedFor] = "198.51.100.7, \(address)"
                    return try await client.exchange(.get, "/v1/me", headers: headers)
                }
                for _ in 0..<2 { #expect(try await send(guesser, from: "203.0.113.1").status == .unauthorized) }
                #expect(try await send(user, from: "203.0.113.1").status == .tooManyRequests)
                // Another client behind the proxy: served only when the proxy is trusted.
                #expect(try await send(user, from: "203.0.113.2").status == (trusted ? .ok : .tooManyRequests))
            }
        }
    }
}
