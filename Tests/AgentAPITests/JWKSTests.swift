import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

/// Tokens signed by an identity provider whose public keys come from a JWKS file.
@Suite(.oneDatabase) struct JWKSTests {
    static let issuer = "https://idp.test"
    static let audience = "agent-platform"
    let key = ES256PrivateKey()
    let jwks: String
    let api: TestAPI

    init() async throws {
        let parameters = try #require(key.parameters)
        jwks =
            #"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"idp-1","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        // Reading JWT_JWKS_FILE is the platform configuration's job (PlatformConfigurationTests).
        #expect(await JWTConfiguration.isUsableKeySet(jwks))
        api = try await TestAPI.make(
            jwt: JWTConfiguration(jwks: jwks, issuer: Self.issuer, audience: Self.audience, autoProvision: true))
    }

    func token(sub: String, email: String?, signer: ES256PrivateKey, kid: String? = "idp-1") async throws -> String {
        let keys = JWTKeyCollection()
        let kid = kid.map { JWKIdentifier(string: $0) }
        await keys.add(ecdsa: signer, kid: kid)
        // The header names the kid only when `sign` is given it.
        return try await keys.sign(
            AuthenticationTests.Claims(
                sub: SubjectClaim(value: sub), exp: ExpirationClaim(value: Date().addingTimeInterval(300)),
                iss: IssuerClaim(value: Self.issuer), aud: AudienceClaim(value: [Self.audience]), email: email,
                emailVerified: true),
            kid: kid)
    }

    func me(_ client: any TestClientProtocol, _ token: String) async throws -> TestResponse {
        try await client.exchange(.get, "/v1/me", headers: [.authorization: "Bearer \(token)"])
    }

    @Test func providerTokensAreAcceptedAndOthersRejected() async throws {
        let subject = "idp|\(UUID().uuidString)"
        let good = try await token(sub: subject, email: "jwks-\(UUID().uuidString.prefix(6))@example.test", signer: key)
        let forged = try await token(sub: subject, email: "x@example.test", signer: ES256PrivateKey())
        let forgedUnknownKid = try await token(sub: subject, email: "x@example.test", signer: ES256PrivateKey(), kid: "idp-2")
        try await api.test { client async throws in
            let response = try await me(client, good)
            #expect(response.status == .ok)
            #expect(try response.decode(Schemas.User.self).id == UserID.jwt(issuer: Self.issuer, subject: subject).rawValue)
            for token in [forged, forgedUnknownKid] {
                #expect(try await me(client, token).isProblem(.unauthorized))
            }
        }
    }

    @Test func anUnknownOrMissingKidDoesNotFallBackToTheOnlyKey() async throws {
        // Signed by the right key: JWTKit alone would verify these with its default key.
        let subject = "idp|\(UUID().uuidString)"
        let email = "kid-\(UUID().uuidString.prefix(6))@example.test"
        let unknownKid = try await token(sub: subject, email: email, signer: key, kid: "idp-2")
        let noKid = try await token(sub: subject, email: email, signer: key, kid: nil)
        try await api.test { client async throws in
            #expect(try await me(client, unknownKid).isProblem(.unauthorized))
            #expect(try await me(client, noKid).isProblem(.unauthorized))
        }
    }

    @Test func aHeaderAlgOtherThanTheKeysIsRejected() async throws {
        let good = try await token(sub: "idp|\(UUID().uuidString)", email: "alg@example.test", signer: key)
        let parts = good.split(separator: ".").map(String.init)
        func header(_ alg: String) -> String {
            Data(#"{"alg":"\#(alg)","kid":"idp-1","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
        }
        let forged = ["ES384", "HS256", "none", "RS256"].map { alg in
            [header(alg), parts[1], alg == "none" ? "" : parts[2]].joined(separator: ".")
        }
        try await api.test { client async throws in
            #expect(try await me(client, good).status == .ok)
            for token in forged {
                #expect(try await me(client, token).isProblem(.unauthorized), "\(token.prefix(40))")
            }
        }
    }

    @Test func unusableKeySetsAndMissingChecksAreConfigurationErrors() async throws {
        let withoutAlg = jwks.replacingOccurrences(of: #""alg":"ES256","#, with: "")
        let symmetric = jwks.replacingOccurrences(of: #""alg":"ES256""#, with: #""alg":"HS256""#)
        let mismatched = jwks.replacingOccurrences(of: #""alg":"ES256""#, with: #""alg":"ES384""#)
        #expect(await JWTConfiguration.keySetProblem(withoutAlg) == #"has key "idp-1" without an alg"#)
        #expect(await JWTConfiguration.keySetProblem(symmetric) == #"has key "idp-1" with alg "HS256", which is not allowed"#)
        #expect(await JWTConfiguration.keySetProblem(mismatched) == #"has key "idp-1", which cannot be used with its alg"#)
        let checked = [
            JWTConfiguration(jwks: "{not json", issuer: Self.issuer, audience: Self.audience),
            JWTConfiguration(jwks: withoutAlg, issuer: Self.issuer, audience: Self.audience),
            JWTConfiguration(jwks: jwks, audience: Self.audience),
            JWTConfiguration(jwks: jwks, issuer: Self.issuer),
        ]
        let db = api.db
        for (configuration, variable) in zip(checked, ["JWT_JWKS_FILE", "JWT_JWKS_FILE", "JWT_ISSUER", "JWT_ISSUER"]) {
            let error = await #expect(throws: APIConfigurationError.self) {
                _ = try await buildRouter(
                    store: db.store, replies: TestReplies.make(store: db.store),
                    configuration: APIConfiguration(jwt: configuration), registry: api.registry, logger: api.logger)
            }
            #expect(error?.variable == variable)
        }
    }
}
