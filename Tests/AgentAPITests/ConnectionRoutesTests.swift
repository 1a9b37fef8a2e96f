import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import ProviderEmulator
import Testing

@Suite(.oneDatabase) struct ConnectionRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    static let apiKey = "sk-live-THISISAVERYSECRETKEY-0123456789abcdef"
    static let newKey = "sk-live-ANOTHERSECRETKEYVALUE-fedcba9876543210"

    /// No response of any connection route ever carries a plaintext key, in whole or in part.
    @Test func apiKeyIsWriteOnly() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            var responses: [TestResponse] = []
            let created = try await client.send(
                .post, "/v1/connections", as: owner,
                json: [
                    "name": "OpenAI", "service": "openai", "api_key": Self.apiKey, "metadata": ["team": "ml", "nested": [1, 2]],
                ])
            #expect(created.status == .created)
            responses.append(created)
            // The generated type forbids undocumented members, so decoding also proves there is no `api_key`.
            let connection = try created.decode(Schemas.Connection.self)
            let id = connection.id
            #expect(connection.apiKeyHint.hasSuffix("cdef"))
            // `hmac:` and 16 hex digits, as the document describes it.
            #expect(connection.apiKeyFingerprint.hasPrefix("hmac:") && connection.apiKeyFingerprint.count == 21)
            #expect(!created.text.contains(#""api_key""#))
            #expect((connection.metadata.value as? [String: (any Sendable)?])?["team"] as? String == "ml")
            responses.append(try await client.send(.get, "/v1/connections/\(id)", as: owner))
            responses.append(try await client.send(.get, "/v1/connections", as: owner))
            let patched = try await client.send(
                .patch, "/v1/connections/\(id)", as: owner, json: ["api_key": Self.newKey, "metadata": NSNull()])
            #expect(patched.status == .ok)
            let patchedConnection = try patched.decode(Schemas.Connection.self)
            #expect(patchedConnection.metadata.value == nil)
            #expect(patched.text.contains(#""metadata":null"#))
            #expect(patchedConnection.apiKeyFingerprint != connection.apiKeyFingerprint)
            responses.append(patched)
            let agentID = try await client.createAgent(as: owner)
            responses.append(try await client.send(.put, "/v1/agents/\(agentID)/connections/\(id)", as: owner))
            responses.append(try await client.send(.get, "/v1/agents/\(agentID)/connections", as: owner))
            responses.append(try await client.send(.get, "/v1/me/export", as: owner))
            responses.append(try await client.send(.get, "/v1/audit-log", as: owner))
            responses.append(
                try await client.send(
                    .post, "/v1/connections", as: owner, json: ["name": "", "service": "x", "api_key": Self.apiKey]))
            responses.append(try await client.send(.delete, "/v1/connections/\(id)", as: owner))
            for response in responses {
                for key in [Self.apiKey, Self.newKey] {
                    SecretCheck.expectAbsent(key, in: response.text)
                    #expect(!response.text.contains(String(key.dropFirst(8).prefix(20))))
                }
            }
        }
    }

    /// Where a key goes is as good as the key: a change of service or base URL must bring a key of its own,
    /// or a token that may write but never read keys could send a stored one to a host it runs. A key with a
    /// control character is refused as it comes (in a header it would fail every call).
    @Test func aStoredKeyIsNeverSentSomewhereNew() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let created = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "OpenAI", "service": "openai", "api_key": Self.apiKey])
            let id = try created.decode(Schemas.Connection.self).id
            for change: [String: Any] in [
                ["metadata": ["base_url": "http://127.0.0.1:9/v1"]], ["service": "anthropic"],
                ["service": "openai", "metadata": ["base_url": "http://127.0.0.1:9/v1"]],
            ] {
                let moved = try await client.send(.patch, "/v1/connections/\(id)", as: owner, json: change)
                #expect(moved.isProblem(.unprocessableContent), "\(change)")
                #expect(moved.text.contains("api_key"), "\(moved.text)")
            }
            // The same service, other metadata, a name: the key stays where it went.
            for change: [String: Any] in [["service": "openai"], ["metadata": ["team": "ml"]], ["name": "renamed"]] {
                #expect(try await client.send(.patch, "/v1/connections/\(id)", as: owner, json: change).status == .ok)
            }
            // With a key of its own, it may go anywhere public.
            let rekeyed = try await client.send(
                .patch, "/v1/connections/\(id)", as: owner, json: ["service": "anthropic", "api_key": Self.newKey])
            #expect(rekeyed.status == .ok)
            for key in ["sk-abc\n", "sk-\u{1B}abc", "sk-abc\r"] {
                let refused = try await client.send(
                    .post, "/v1/connections", as: owner, json: ["name": "x", "service": "openai", "api_key": key])
                #expect(refused.isProblem(.unprocessableContent) && refused.text.contains("control characters"))
            }
        }
    }

    @Test func linksBetweenAgentsAndConnections() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "s", "api_key": Self.apiKey])
            let connectionID = try connection.decode(Schemas.Connection.self).id
            let agentID = try await client.createAgent(as: owner)
            #expect(try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).status == .ok)
            #expect(try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).status == .ok)
            #expect(
                try await client.send(.get, "/v1/agents/\(agentID)/connections", as: owner).ids(Schemas.ConnectionPage.self) == [
                    connectionID
                ])
            #expect(try await client.send(.put, "/v1/agents/\(agentID)/connections/missing", as: owner).isProblem(.notFound))
            #expect(
                try await client.send(.delete, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).status
                    == .noContent)
            #expect(
                try await client.send(.delete, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).isProblem(
                    .notFound))
            #expect(
                try await client.send(.get, "/v1/agents/\(agentID)/connections", as: owner).ids(Schemas.ConnectionPage.self) == []
            )
        }
    }

    /// `connection-order` reads and sets the order an agent's replies try its connections in: a reply then
    /// comes from the connection put first. An order that is not the linked connections, each once, is a 422
    /// naming `connection_ids`; a read-only token may read it, not set it; another tenant finds no agent.
    @Test func theOrderAnAgentTriesItsConnectionsIn() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        let reader = Tenant(
            id: owner.id,
            token: try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "r", scopes: [.read]) }.value)
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL, baseURL])
                let path = "/v1/agents/\(chat.agentID)/connection-order"
                let linked = try await client.send(.get, path, as: owner)
                #expect(try linked.decode(Schemas.ConnectionOrder.self).connectionIds == chat.connectionIDs)

                let reversed = Array(chat.connectionIDs.reversed())
                let set = try await client.send(.put, path, as: owner, json: ["connection_ids": reversed])
                #expect(try set.decode(Schemas.ConnectionOrder.self).connectionIds == reversed)
                #expect(
                    try await client.send(.get, path, as: reader).decode(Schemas.ConnectionOrder.self).connectionIds == reversed)
                let reply = try await chat.reply(client, as: owner, to: "hello")
                #expect(reply.status == "complete" && reply.connectionId == reversed[0])

                for refused in [[reversed[0]], reversed + [reversed[0]], reversed + ["not-linked"], reversed + ["\u{1}"]] {
                    let answer = try await client.send(.put, path, as: owner, json: ["connection_ids": refused])
                    #expect(
                        answer.isProblem(.unprocessableContent) && (try? answer.problemField()) == "connection_ids", "\(refused)")
                }
                #expect(try await client.send(.put, path, as: reader, json: ["connection_ids": reversed]).isProblem(.forbidden))
                #expect(try await client.send(.get, path, as: intruder).isProblem(.notFound))
                #expect(try await client.send(.put, path, as: intruder, json: ["connection_ids": []]).isProblem(.notFound))
                #expect(
                    try await client.send(.get, path, as: owner).decode(Schemas.ConnectionOrder.self).connectionIds == reversed)
            }
        }
    }

    @Test func anotherTenantCannotReachConnectionsOrLinks() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await api.test { client async throws in
            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "mine", "service": "s", "api_key": Self.apiKey])
            let connectionID = try connection.decode(Schemas.Connection.self).id
            let agentID = try await client.createAgent(as: owner)
            let theirs = try await client.send(.post, "/v1/agents", as: intruder, json: ["name": "b", "system_prompt": "p"])
            let theirAgentID = try theirs.decode(Schemas.Agent.self).id
            #expect(try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner).status == .ok)

            #expect(try await client.send(.get, "/v1/connections/\(connectionID)", as: intruder).isProblem(.notFound))
            #expect(
                try await client.send(.patch, "/v1/connections/\(connectionID)", as: intruder, json: ["name": "x"]).isProblem(
                    .notFound))
            #expect(try await client.send(.delete, "/v1/connections/\(connectionID)", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/connections", as: intruder).isProblem(.notFound))
            #expect(
                try await client.send(.put, "/v1/agents/\(theirAgentID)/connections/\(connectionID)", as: intruder).isProblem(
                    .notFound))
            #expect(
                try await client.send(.delete, "/v1/agents/\(agentID)/connections/\(connectionID)", as: intruder).isProblem(
                    .notFound))
            #expect(try await client.send(.get, "/v1/connections", as: intruder).ids(Schemas.ConnectionPage.self) == [])

            let after = try await client.send(.get, "/v1/connections/\(connectionID)", as: owner)
            #expect(try after.decode(Schemas.Connection.self).name == "mine")
            #expect(
                try await client.send(.get, "/v1/agents/\(agentID)/connections", as: owner).ids(Schemas.ConnectionPage.self) == [
                    connectionID
                ])
        }
    }
}
