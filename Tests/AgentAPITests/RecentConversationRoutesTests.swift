import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Testing

/// `GET /v1/conversations`: the tenant's conversations with all of its agents, newest activity first.
@Suite(.oneDatabase) struct RecentConversationRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func listsTheTenantsConversationsAcrossAgentsPageByPage() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client async throws in
            let planner = try await client.createAgent(as: owner, name: "Planner")
            let writer = try await client.createAgent(as: owner, name: "Writer")
            let theirs = try await client.createAgent(as: other, name: "Theirs")
            var expected: [String] = []
            for (agent, conversation) in [(planner, "trip"), (writer, "trip"), (planner, "budget"), (writer, "essay")] {
                let sent = try await client.send(
                    .post, "/v1/agents/\(agent)/conversations/\(conversation)/messages", as: owner,
                    json: ["role": "user", "content": "about \(conversation)"])
                #expect(sent.status == .created)
                expected.insert("\(agent)/\(conversation)", at: 0)
            }
            #expect(
                try await client.send(
                    .post, "/v1/agents/\(theirs)/conversations/secret/messages", as: other,
                    json: ["role": "user", "content": "not yours"]
                ).status == .created)

            var listed: [String] = []
            var names: [String] = []
            var cursor: String?
            repeat {
                let query = cursor.map { "&cursor=\($0)" } ?? ""
                let response = try await client.send(.get, "/v1/conversations?limit=3\(query)", as: owner)
                #expect(response.status == .ok)
                let page = try response.decode(Schemas.RecentConversationPage.self)
                listed += page.data.map { "\($0.conversation.agentId)/\($0.conversation.id)" }
                names += page.data.map(\.agentName)
                #expect(page.hasMore == (page.nextCursor != nil))
                cursor = page.nextCursor
            } while cursor != nil && listed.count < 10
            #expect(listed == expected)
            #expect(names == ["Writer", "Planner", "Writer", "Planner"])

            let first = try await client.send(.get, "/v1/conversations", as: owner).decode(Schemas.RecentConversationPage.self)
            #expect(first.data.first?.conversation.lastMessage?.value1?.content == "about essay")
            #expect(!first.hasMore && first.nextCursor == nil)

            // The other tenant sees its own only; the owner's cursor names nothing of theirs.
            let otherPage = try await client.send(.get, "/v1/conversations", as: other).decode(
                Schemas.RecentConversationPage.self)
            #expect(otherPage.data.map(\.conversation.id) == ["secret"])
            let ownerCursor = try #require(
                try await client.send(.get, "/v1/conversations?limit=1", as: owner).decode(Schemas.RecentConversationPage.self)
                    .nextCursor)
            let foreign = try await client.send(.get, "/v1/conversations?cursor=\(ownerCursor)", as: other)
            #expect(foreign.isProblem(.unprocessableContent))
            #expect(try foreign.problemField() == "cursor")
        }
    }

    @Test func refusesBadParametersWithProblems() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            for (query, status) in [
                ("?limit=0", HTTPResponse.Status.badRequest), ("?limit=101", .badRequest), ("?cursor=%25%25", .badRequest),
                ("?cursor=\(String(repeating: "A", count: 2_049))", .badRequest), ("?cursor=garbage", .unprocessableContent),
            ] {
                let response = try await client.send(.get, "/v1/conversations\(query)", as: owner)
                #expect(response.isProblem(status), "\(query)")
                #expect(try response.problemField() == (query.hasPrefix("?limit") ? "limit" : "cursor"), "\(query)")
            }
            #expect(try await client.send(.get, "/v1/conversations", as: nil).status == .unauthorized)
        }
    }
}
