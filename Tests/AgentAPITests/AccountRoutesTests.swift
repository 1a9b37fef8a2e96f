import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v1/me`, its export and deletion, and the audit log.
@Suite struct AccountRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// Gives `tenant` an agent with a connection, a two-message conversation and feedback; returns all ids.
    func populate(_ client: any TestClientProtocol, _ tenant: Tenant, messages: Int = 2) async throws -> Set<String> {
        var ids: Set<String> = []
        let agent = try await client.send(.post, "/v1/agents", as: tenant, json: ["name": "a", "system_prompt": "p"])
        let agentID = try #require(try agent.object()["id"] as? String)
        let connection = try await client.send(.post, "/v1/connections", as: tenant, json: ["name": "c", "service": "s", "api_key": "sk-abcdefghijklmnop"])
        let connectionID = try #require(try connection.object()["id"] as? String)
        ids.formUnion([agentID, connectionID])
        for index in 0..<messages {
            let message = try await client.send(.post, "/v1/agents/\(agentID)/conversations/conv/messages", as: tenant, json: ["role": "user", "content": "m\(index)"])
            let messageID = try #require(try message.object()["id"] as? String)
            ids.insert(messageID)
            let feedback = try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: tenant, json: ["rating": 1])
            ids.insert(try #require(try feedback.object()["id"] as? String))
        }
        return ids
    }

    /// Every `"id"` value anywhere in a JSON document.
    func allIDs(_ value: Any) -> Set<String> {
        switch value {
        case let object as [String: Any]:
            object.reduce(into: Set((object["id"] as? String).map { [$0] } ?? [])) { $0.formUnion(allIDs($1.value)) }
        case let array as [Any]: array.reduce(into: Set<String>()) { $0.formUnion(allIDs($1)) }
        default: []
        }
    }

    @Test func exportHoldsExactlyTheUsersData() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test(.live) { client async throws in
            let mine = try await populate(client, owner, messages: 150)
            let theirs = try await populate(client, other)
            let response = try await client.send(.get, "/v1/me/export", as: owner)
            #expect(response.status == .ok)
            let document = try response.object()
            #expect((document["user"] as? [String: Any])?["id"] as? String == owner.id.rawValue)
            let exported = allIDs(document)
            #expect(mine.isSubset(of: exported))
            #expect(exported.isDisjoint(with: theirs))
            #expect(!exported.contains(other.id.rawValue))
            let conversations = try #require(document["conversations"] as? [[String: Any]])
            #expect((conversations.first?["messages"] as? [Any])?.count == 150)
            #expect((document["feedback"] as? [Any])?.count == 150)
            for key in ["agents", "connections", "tokens", "audit_log"] { #expect(document[key] is [Any], "\(key)") }
            #expect(!response.text.contains("sk-abcdefghijklmnop"))
        }
    }

    @Test func meShowsAndDeletesTheUser() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            let me = try await client.send(.get, "/v1/me", as: owner)
            #expect(try me.object()["id"] as? String == owner.id.rawValue)
            _ = try await populate(client, owner)
            let theirs = try await populate(client, other)
            #expect(try await client.send(.delete, "/v1/me", as: owner).status == .noContent)
            // The user, and with them their tokens, are gone.
            #expect(try await client.send(.get, "/v1/me", as: owner).isProblem(.unauthorized))
            // The other tenant is untouched.
            let export = try await client.send(.get, "/v1/me/export", as: other)
            #expect(theirs.isSubset(of: allIDs(try export.object())))
        }
        let remaining = try await api.db.store.withTenant(owner.id) { try await $0.currentUserIfExists() }
        #expect(remaining == nil)
    }

    @Test func auditLogRecordsSensitiveOperationsWithTheRequestID() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            var headers = owner.jsonAuth
            headers[.init("X-Request-Id")!] = "audit-check-42"
            let body = ByteBuffer(string: #"{"name": "c", "service": "s", "api_key": "sk-abcdefghijklmnop"}"#)
            let created = try await client.executeRequest(uri: "/v1/connections", method: .post, headers: headers, body: body)
            #expect(created.headers[.init("X-Request-Id")!] == "audit-check-42")
            let log = try await client.send(.get, "/v1/audit-log", as: owner)
            #expect(log.status == .ok)
            let entries = try #require(try log.object()["data"] as? [[String: Any]])
            #expect(entries.first?["action"] as? String == "connection.created")
            #expect(entries.first?["request_id"] as? String == "audit-check-42")
            #expect(try await client.send(.get, "/v1/audit-log", as: other).ids() == [])
        }
    }
}
