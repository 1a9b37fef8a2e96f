import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

/// Tokens signed by an identity provider whose public keys come from a JWKS file.
@Suite struct JWKSTests {
    let key = ES256PrivateKey()
    let api: TestAPI

    init() async throws {
        let parameters = try #require(key.parameters)
        let jwks =
            #"{"keys":[{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"idp-1","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        // Reading JWT_JWKS_FILE is the platform configuration's job (PlatformConfigurationTests).
        #expect(await JWTConfiguration.isUsableKeySet(jwks))
        api = try await TestAPI.make(jwt: JWTConfiguration(jwks: jwks, autoProvision: true))
    }

    func token(sub: String, email: String?, signer: ES256PrivateKey, kid: String = "idp-1") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: signer, kid: JWKIdentifier(string: kid))
        return try await keys.sign(
            AuthenticationTests.Claims(
                sub: SubjectClaim(value: sub), exp: ExpirationClaim(value: Date().addingTimeInterval(300)), email: email))
    }

    @Test func providerTokensAreAcceptedAndOthersRejected() async throws {
        let subject = "idp|\(UUID().uuidString)"
        let good = try await token(sub: subject, email: "jwks-\(UUID().uuidString.prefix(6))@example.test", signer: key)
        let forged = try await token(sub: subject, email: "x@example.test", signer: ES256PrivateKey())
        let forgedUnknownKid = try await token(sub: subject, email: "x@example.test", signer: ES256PrivateKey(), kid: "idp-2")
        try await api.test { client async throws in
            let me = try await client.exchange(.get, "/v1/me", headers: [.authorization: "Bearer \(good)"])
            #expect(me.status == .ok)
            #expect(try me.decode(Schemas.User.self).id == subject)
            for token in [forged, forgedUnknownKid] {
                let response = try await client.exchange(.get, "/v1/me", headers: [.authorization: "Bearer \(token)"])
                #expect(response.isProblem(.unauthorized))
            }
        }
    }

    @Test func anUnusableJWKSIsAConfigurationError() async throws {
        let db = api.db
        await #expect(throws: APIConfigurationError.self) {
            _ = try await buildRouter(
                store: db.store, replies: TestReplies.make(store: db.store),
                configuration: APIConfiguration(jwt: JWTConfiguration(jwks: "{not json")),
                registry: api.registry, logger: api.logger)
        }
    }
}
