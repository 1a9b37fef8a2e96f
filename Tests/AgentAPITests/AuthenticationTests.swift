import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@Suite struct AuthenticationTests {
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
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var email: String?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func jwt(_ claims: Claims, secret: String = secret) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    func claims(sub: String, expires: TimeInterval = 600, audience: String = "agent-platform", email: String? = nil) -> Claims {
        Claims(
            sub: SubjectClaim(value: sub), exp: ExpirationClaim(value: Date().addingTimeInterval(expires)),
            iss: IssuerClaim(value: "https://issuer.test"), aud: AudienceClaim(value: [audience]), email: email)
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
        let user = try await api.makeUser()
        let token = try await jwt(claims(sub: user.id.rawValue))
        try await api.test { client async throws in
            let response = try await status(client, "Bearer \(token)")
            #expect(response.status == .ok)
            #expect(try response.decode(Schemas.User.self).id == user.id.rawValue)
        }
    }

    @Test func expiredWrongAudienceWrongIssuerAndWrongKeyAreRejected() async throws {
        let user = try await api.makeUser()
        var wrongIssuer = claims(sub: user.id.rawValue)
        wrongIssuer.iss = IssuerClaim(value: "https://evil.test")
        var noExpiry = claims(sub: user.id.rawValue)
        noExpiry.exp = nil
        let tokens = [
            try await jwt(claims(sub: user.id.rawValue, expires: -60)),
            try await jwt(claims(sub: user.id.rawValue, audience: "someone-else")),
            try await jwt(wrongIssuer),
            try await jwt(noExpiry),
            try await jwt(claims(sub: user.id.rawValue), secret: "another-secret-that-is-long-enough-too!!"),
        ]
        try await api.test { client async throws in
            for token in tokens {
                #expect(try await status(client, "Bearer \(token)").isProblem(.unauthorized))
            }
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
        let user = try await api.db.store.withTenant(try #require(UserID(rawValue: subject))) {
            try await $0.currentUserIfExists()
        }
        #expect(user?.email == email)
    }

    @Test func concurrentFirstRequestsProvisionOnce() async throws {
        let subject = "idp|\(UUID().uuidString)"
        let token = try await jwt(claims(sub: subject, email: "race-\(UUID().uuidString.prefix(8))@example.test"))
        let badEmail = try await jwt(claims(sub: "idp|\(UUID().uuidString)", email: "not an email"))
        try await api.test(.live) { client async throws in
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
