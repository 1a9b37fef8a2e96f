import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import ProviderEmulator
import Testing

/// `GET /v1/connections/{id}/models`: the provider's models for the connection's key, which also tells
/// whether the provider takes the key.
@Suite(.oneDatabase) struct ConnectionModelsTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// Each protocol's list, asked with the connection's own key (the emulator saw its hash), the opening
    /// audited with the purpose `models`, and the key in no answer.
    @Test(arguments: [("openai", ["emulator", "emulator-mini"]), ("anthropic", ["claude-emulator"])])
    func theProviderListsTheModelsTheKeyMayUse(service: String, models: [String]) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: service)
                let listed = try await client.send(.get, "/v1/connections/\(chat.connectionIDs[0])/models", as: owner)
                #expect(listed.status == .ok, "\(listed.text)")
                #expect(try listed.decode(Schemas.ConnectionModelList.self).data.map(\.id) == models)
                SecretCheck.expectAbsent(ChatFixture.apiKey, in: listed.text)
                let sent = try #require(await emulator.recordedRequests().last)
                #expect(sent.path == "/v1/models" && sent.wireProtocol == service)
                #expect(sent.keySHA256 == ChatFixture.apiKeySHA256 && sent.otherCredentialHeaders.isEmpty)
                let openings = try await client.send(.get, "/v1/audit-log?limit=100", as: owner)
                    .decode(Schemas.AuditEntryPage.self).data.filter { $0.action == "connection.opened" }
                #expect(openings.compactMap { $0.details?.additionalProperties.value["purpose"] as? String } == ["models"])
            }
        }
    }

    /// A HEAD answers what the GET would without asking the provider: no key opened, no call, no audit entry.
    @Test func aHeadAsksNoProvider() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let connection = try await ChatFixture.make(client, owner, baseURLs: [baseURL]).connectionIDs[0]
                let path = "/v1/connections/\(connection)/models"
                let head = try await client.send(.head, path, as: owner)
                #expect(head.status == .ok && head.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try await client.send(.head, path, as: other).status == .notFound)
                let plain = try await client.send(
                    .post, "/v1/connections", as: owner, json: ["name": "p", "service": "stripe", "api_key": "sk-plain-1234"])
                let plainID = try plain.decode(Schemas.Connection.self).id
                #expect(
                    try await client.send(.head, "/v1/connections/\(plainID)/models", as: owner).status == .unprocessableContent)
                #expect(await emulator.recordedRequests().isEmpty)
                let audit = try await client.send(.get, "/v1/audit-log?limit=100", as: owner).decode(Schemas.AuditEntryPage.self)
                #expect(!audit.data.contains { $0.action == "connection.opened" })
            }
        }
    }

    /// A token that names the owner but is not valid (forged, or revoked) is refused before the key is
    /// opened: the provider is not called, and no opening is audited in the owner's name.
    @Test func aTokenThatIsNotValidOpensNoKey() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let connection = try await ChatFixture.make(client, owner, baseURLs: [baseURL]).connectionIDs[0]
                let revoked = try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "old") }
                _ = try await api.db.store.withTenant(owner.id) { try await $0.revokeToken(revoked.token.id) }
                let forged = String(owner.token.dropLast(4)) + (owner.token.hasSuffix("abcd") ? "dcba" : "abcd")
                for token in [forged, revoked.value] {
                    let response = try await client.send(
                        .get, "/v1/connections/\(connection)/models", as: Tenant(id: owner.id, token: token))
                    #expect(response.isProblem(.unauthorized), "\(response.text)")
                }
                #expect(await emulator.recordedRequests().isEmpty)
                let audit = try await client.send(.get, "/v1/audit-log?limit=100", as: owner).decode(Schemas.AuditEntryPage.self)
                #expect(!audit.data.contains { $0.action == "connection.opened" })
            }
        }
    }

    /// A provider that refuses the key, one over its rate limit, one failing, a connection of another service, and
    /// another tenant's connection: each a problem that says which, none of them a 500.
    @Test func failuresSayWhatFailed() async throws {
        let owner = try await api.makeUser()
        let intruder = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let refused = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                let limited = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=429"])
                let failing = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=500"])
                // A base URL the platform does not call, stored as an older policy allowed: refused at call time.
                let privateAddress = try await api.db.store.withTenant(owner.id) {
                    try await $0.createConnection(
                        NewAPIConnection(
                            name: "private", service: "openai", apiKey: ChatFixture.apiKey,
                            metadata: .object(["base_url": .string("http://10.0.0.1:8080")])))
                }.id.rawValue
                let other = try await client.send(
                    .post, "/v1/connections", as: owner, json: ["name": "code", "service": "github", "api_key": "ghp_0123456789"]
                ).decode(Schemas.Connection.self).id
                let cases: [(String, Tenant, HTTPResponse.Status, String)] = [
                    (refused.connectionIDs[0], owner, .badGateway, "provider-rejected"),
                    (limited.connectionIDs[0], owner, .tooManyRequests, "provider-rate-limited"),
                    (failing.connectionIDs[0], owner, .badGateway, "provider-unavailable"),
                    (privateAddress, owner, .badGateway, "provider-address-refused"),
                    (other, owner, .unprocessableContent, "not-a-chat-connection"),
                    (refused.connectionIDs[0], intruder, .notFound, "not-found"),
                ]
                for (connection, tenant, status, slug) in cases {
                    let response = try await client.send(.get, "/v1/connections/\(connection)/models", as: tenant)
                    #expect(response.isProblem(status), "\(slug): \(response.status) \(response.text)")
                    #expect(try response.decode(Schemas.Problem.self)._type.hasSuffix("/\(slug)"), "\(response.text)")
                    SecretCheck.expectAbsent(ChatFixture.apiKey, in: response.text)
                }
            }
        }
    }
}
