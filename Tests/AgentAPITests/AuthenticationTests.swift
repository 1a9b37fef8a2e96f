import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@Suite(.oneDatabase) struct AuthenticationTests {
    static let secret = "test-secret-that-is-long-enough-for-hs256!"
    let api: TestAPI

    init() async throws {
        api = try await TestAPI.make(
            jwt: JWTConfiguration(
                hs256Secret: Self.secret, issuer: "https://issuer.test", audience: "agent-platform", autoProvision: true))
    }

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim?
        var iat: IssuedAtClaim?
        var nbf: NotBeforeClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var email: String?
        var emailVerified: Bool?

        enum CodingKeys: String, CodingKey {
            case sub, exp, iat, nbf, iss, aud, email
            case emailVerified = "email_verified"
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static let issuer = "https://issuer.test"

    func jwt(_ claims: Claims, secret: String = secret, digest: DigestAlgorithm = .sha256, kid: String? = nil) async throws
        -> String
    {
        let keys = JWTKeyCollection()
        let kid = kid.map { JWKIdentifier(string: $0) }
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: digest, kid: kid)
        return try await keys.sign(claims, kid: kid)
    }

    func claims(
        sub: String, expires: TimeInterval = 600, audience: String = "agent-platform", email: String? = nil,
        verified: Bool? = true
    ) -> Claims {
        Claims(
            sub: SubjectClaim(value: sub), exp: ExpirationClaim(value: Date().addingTimeInterval(expires)),
            iss: IssuerClaim(value: Self.issuer), aud: AudienceClaim(value: [audience]), email: email,
            emailVerified: email == nil ? nil : verified)
    }

    /// A platform user that JWTs of `subject` from the test issuer speak for.
    func makeJWTUser(subject: String) async throws -> UserID {
        let id = UserID.jwt(issuer: Self.issuer, subject: subject)
        _ = try await api.db.store.withTenant(id) {
            try await $0.createCurrentUser(email: "jwt-\(UUID().uuidString.prefix(8))@example.test")
        }
        return id
    }

    func status(_ client: any TestClientProtocol, _ authorization: String?) async throws -> TestResponse {
        let headers: HTTPFields = authorization.map { [.authorization: $0] } ?? [:]
        return try await client.exchange(.get, "/v1/me", headers: headers)
    }

    @Test func missingAndGarbageCredentialsAre401WithChallenge() async throws {
        try await api.test { client async throws in
            for header in [
                nil, "", "Bearer", "Bearer ", "Basic abc", "Bearer garbage", "Bearer ap_garbage.x",
                "Bearer a.b.c", "Bearer \(String(repeating: "x", count: 10_000))", "Bearer ap_\u{0}",
            ] {
                let response = try await status(client, header)
                #expect(response.isProblem(.unauthorized), "\(header?.prefix(20) ?? "nil")")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func personalTokenRevocationTakesEffectAtOnce() async throws {
        let user = try await api.makeUser()
        try await api.test { client async throws in
            let issued = try await client.send(.post, "/v1/tokens", as: user, json: ["name": "laptop"])
            #expect(issued.status == .created)
            #expect(issued.headers[.cacheControl] == "no-store")
            let body = try issued.decode(Schemas.IssuedToken.self)
            let value = body.token
            let id = body.id
            #expect(body.name == "laptop")
            let second = Tenant(id: user.id, token: value)
            #expect(try await client.send(.get, "/v1/me", as: second).status == .ok)
            let listed = try await client.send(.get, "/v1/tokens", as: user)
            #expect(try listed.ids(Schemas.TokenPage.self).contains(id))
            #expect(!listed.text.contains(value))
            #expect(try await client.send(.delete, "/v1/tokens/\(id)", as: user).status == .noContent)
            #expect(try await client.send(.get, "/v1/me", as: second).isProblem(.unauthorized))
            // The first token is untouched; another tenant cannot revoke it.
            let other = try await api.makeUser("other")
            let firstID = try #require(try await client.send(.get, "/v1/tokens", as: user).ids(Schemas.TokenPage.self).last)
            #expect(try await client.send(.delete, "/v1/tokens/\(firstID)", as: other).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/me", as: user).status == .ok)
        }
    }

    @Test func validJWTIsAcceptedForAnExistingUser() async throws {
        // The user a JWT speaks for is the hash of its (iss, sub), not its sub (see UserID.jwt).
        let subject = "idp|\(UUID().uuidString)"
        let userID = try await makeJWTUser(subject: subject)
        let token = try await jwt(claims(sub: subject))
        try await api.test { client async throws in
            let response = try await status(client, "Bearer \(token)")
            #expect(response.status == .ok)
            #expect(try response.decode(Schemas.User.self).id == userID.rawValue)
        }
    }

    @Test func expiredWrongAudienceWrongIssuerAndWrongKeyAreRejected() async throws {
        let subject = "idp|\(UUID().uuidString)"
        _ = try await makeJWTUser(subject: subject)
        var wrongIssuer = claims(sub: subject)
        wrongIssuer.iss = IssuerClaim(value: "https://evil.test")
        var noExpiry = claims(sub: subject)
        noExpiry.exp = nil
        let tokens = [
            try await jwt(claims(sub: subject, expires: -120)),
            try await jwt(claims(sub: subject, audience: "someone-else")),
            try await jwt(wrongIssuer),
            try await jwt(noExpiry),
            try await jwt(claims(sub: subject), secret: "another-secret-that-is-long-enough-too!!"),
            // The secret's key verifies no token that names a key id.
            try await jwt(claims(sub: subject), kid: "idp-1"),
        ]
        try await api.test { client async throws in
            for token in tokens {
                #expect(try await status(client, "Bearer \(token)").isProblem(.unauthorized))
            }
        }
        // Each refusal is counted on /metrics by its reason, where a misconfigured issuer would show.
        let counted = try await api.metricsText().split(separator: "\n").filter { $0.hasPrefix("jwt_rejections_total{") }
        #expect(counted.reduce(0) { $0 + (Double($1.split(separator: " ").last ?? "") ?? 0) } == 6, "\(counted)")
        for reason in ["times", "aud", "iss", "unknown kid"] {
            #expect(counted.contains { $0.contains(#"reason="\#(reason)""#) }, "\(reason)")
        }
    }

    @Test func firstJWTOfAnUnknownSubjectProvisionsTheUser() async throws {
        let subject = "idp|\(UUID().uuidString)"
        let email = "new-\(UUID().uuidString.prefix(8))@example.test"
        let token = try await jwt(claims(sub: subject, email: email))
        let withoutEmail = try await jwt(claims(sub: "idp|\(UUID().uuidString)"))
        try await api.test { client async throws in
            #expect(try await status(client, "Bearer \(withoutEmail)").isProblem(.unauthorized))
            let first = try await status(client, "Bearer \(token)")
            #expect(first.status == .ok)
            #expect(try first.decode(Schemas.User.self).email == email)
            #expect(try await status(client, "Bearer \(token)").status == .ok)
        }
        let user = try await api.db.store.withTenant(UserID.jwt(issuer: Self.issuer, subject: subject)) {
            try await $0.currentUserIfExists()
        }
        #expect(user?.email == email)
    }

    @Test func provisioningRequiresAVerifiedEmailAndDoesNotTellThatAnEmailIsTaken() async throws {
        let email = "taken-\(UUID().uuidString.prefix(8))@example.test"
        let unverified = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: email, verified: false))
        let unsaid = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: email, verified: nil))
        let first = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: email))
        let second = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: email))
        try await api.test { client async throws in
            #expect(try await status(client, "Bearer \(unverified)").isProblem(.unauthorized))
            #expect(try await status(client, "Bearer \(unsaid)").isProblem(.unauthorized))
            #expect(try await status(client, "Bearer \(first)").status == .ok)
            // Another subject with the same email: the same 401 as any bad credential, no conflict, no email.
            let conflict = try await status(client, "Bearer \(second)")
            let garbage = try await status(client, "Bearer garbage")
            #expect(conflict.isProblem(.unauthorized))
            #expect(try conflict.problem().detail == garbage.problem().detail)
            #expect(!conflict.text.contains(email) && !conflict.text.lowercased().contains("exist"))
        }
    }

    @Test func subjectsOfTwoIssuersAndPlatformIDsDoNotCollide() async throws {
        // No JWT_ISSUER: a token's own iss still separates its subjects from another issuer's.
        let open = try await TestAPI.make(jwt: JWTConfiguration(hs256Secret: Self.secret, autoProvision: true))
        let platformUser = try await open.makeUser()
        let subject = platformUser.id.rawValue
        var fromA = claims(sub: subject, email: "a-\(UUID().uuidString.prefix(8))@example.test")
        fromA.iss = IssuerClaim(value: "https://a.test")
        var fromB = claims(sub: subject, email: "b-\(UUID().uuidString.prefix(8))@example.test")
        fromB.iss = IssuerClaim(value: "https://b.test")
        let tokenA = try await jwt(fromA)
        let tokenB = try await jwt(fromB)
        try await open.test { client async throws in
            let userA = try await status(client, "Bearer \(tokenA)").decode(Schemas.User.self).id
            let userB = try await status(client, "Bearer \(tokenB)").decode(Schemas.User.self).id
            #expect(userA == UserID.jwt(issuer: "https://a.test", subject: subject).rawValue)
            #expect(userB == UserID.jwt(issuer: "https://b.test", subject: subject).rawValue)
            #expect(userA != userB && userA != subject && userB != subject)
            let platform = try await client.send(.get, "/v1/me", as: platformUser).decode(Schemas.User.self)
            #expect(platform.id == subject)
        }
    }

    @Test func provisioningIsRateLimited() async throws {
        let slow = try await TestAPI.make(
            jwt: JWTConfiguration(
                hs256Secret: Self.secret, autoProvision: true, provisioningRate: .init(perSecond: 0.001, burst: 2)))
        let tokens = try await (0..<3).asyncMap { index in
            try await jwt(
                claims(
                    sub: "new-\(index)-\(UUID().uuidString)", email: "new-\(index)-\(UUID().uuidString.prefix(8))@example.test"))
        }
        try await slow.test { client async throws in
            #expect(try await status(client, "Bearer \(tokens[0])").status == .ok)
            #expect(try await status(client, "Bearer \(tokens[1])").status == .ok)
            let third = try await status(client, "Bearer \(tokens[2])")
            #expect(third.isProblem(.tooManyRequests))
            #expect(third.headers[.retryAfter] != nil)
            // Users that exist are not held back: only creating one is limited.
            #expect(try await status(client, "Bearer \(tokens[0])").status == .ok)
        }
    }

    @Test func clockLeewayAndLifetime() async throws {
        let subject = "idp|\(UUID().uuidString)"
        _ = try await makeJWTUser(subject: subject)
        func at(exp: TimeInterval, iat: TimeInterval? = 0, nbf: TimeInterval? = nil) async throws -> String {
            var payload = self.claims(sub: subject, expires: exp)
            payload.iat = iat.map { IssuedAtClaim(value: Date().addingTimeInterval($0)) }
            payload.nbf = nbf.map { NotBeforeClaim(value: Date().addingTimeInterval($0)) }
            return try await jwt(payload)
        }
        let accepted = [
            try await at(exp: -30),  // expired within the leeway
            try await at(exp: 600, nbf: 30),  // valid in 30 s
            try await at(exp: 600, iat: 30),  // issued 30 s ahead of this clock
            try await at(exp: 23 * 3600),
            try await at(exp: 23 * 3600, iat: nil),
        ]
        let refused = [
            try await at(exp: -120),
            try await at(exp: 600, nbf: 120),
            try await at(exp: 600, iat: 120),
            try await at(exp: 25 * 3600),  // lives longer than 24 h from its iat
            try await at(exp: 25 * 3600, iat: nil),  // or from now, without one
            try await at(exp: 3600, iat: -24 * 3600),
        ]
        try await api.test { client async throws in
            for (index, token) in accepted.enumerated() {
                #expect(try await status(client, "Bearer \(token)").status == .ok, "accepted[\(index)]")
            }
            for (index, token) in refused.enumerated() {
                #expect(try await status(client, "Bearer \(token)").isProblem(.unauthorized), "refused[\(index)]")
            }
        }
    }

    @Test func concurrentFirstRequestsProvisionOnce() async throws {
        let subject = "idp|\(UUID().uuidString)"
        let token = try await jwt(claims(sub: subject, email: "race-\(UUID().uuidString.prefix(8))@example.test"))
        let badEmail = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: "not an email"))
        // AsyncHTTPClient, a connection per request: `.live`'s client pipelines them all on one connection,
        // which the server answers one after another (and, under the whole suite on a slow machine, the
        // eighth past the client's 20 s).
        try await api.test(.ahc(.http)) { client async throws in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 { group.addTask { try await status(client, "Bearer \(token)").status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await status(client, "Bearer \(badEmail)").isProblem(.unauthorized))
        }
    }

    @Test func withoutProvisioningAnUnknownSubjectIs401() async throws {
        let strict = try await TestAPI.make(jwt: JWTConfiguration(hs256Secret: Self.secret))
        let token = try await jwt(claims(sub: "unknown-\(UUID().uuidString)", email: "x@example.test"))
        try await strict.test { client async throws in
            #expect(try await status(client, "Bearer \(token)").isProblem(.unauthorized))
        }
    }
}
