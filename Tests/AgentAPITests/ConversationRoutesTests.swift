import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ConversationRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    func makeAgent(_ client: any TestClientProtocol, _ owner: Tenant) async throws -> String {
        let agent = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "a", "system_prompt": "p"])
        return try #require(try agent.object()["id"] as? String)
    }

    @Test func messagesConversationsAndFeedback() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await makeAgent(client, owner)
            let base = "/v1/agents/\(agentID)/conversations"
            let first = try await client.send(.post, "\(base)/conv-1/messages", as: owner, json: ["role": "user", "content": "Hello", "metadata": ["k": 1]])
            #expect(first.status == .created)
            let messageID = try #require(try first.object()["id"] as? String)
            let reply = try await client.send(.post, "\(base)/conv-1/messages", as: owner, json: ["role": "assistant", "content": "Hi"])
            let replyID = try #require(try reply.object()["id"] as? String)
            #expect(try await client.send(.post, "\(base)/conv-1/messages", as: owner, json: ["role": "robot", "content": "x"]).isProblem(.unprocessableContent))
            #expect(try await client.send(.get, "\(base)/conv-1/messages", as: owner).ids() == [messageID, replyID])
            let conversations = try await client.send(.get, base, as: owner)
            #expect(try conversations.ids() == ["conv-1"])
            let conversation = try #require(try (conversations.object()["data"] as? [[String: Any]])?.first)
            #expect(conversation["message_count"] as? Int == 2)

            let up = try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: owner, json: ["rating": 1, "comment": "good"])
            #expect(up.status == .ok)
            #expect(try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": 0]).status == .ok)
            #expect(try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": 2]).isProblem(.unprocessableContent))
            #expect(try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": "1"]).isProblem(.badRequest))
            let report = try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner)
            #expect(report.status == .ok)
            #expect(try report.object()["thumbs_up"] as? Int == 1)
            #expect(try report.object()["thumbs_down"] as? Int == 1)
            #expect(try report.ids().count == 2)
            #expect(try await client.send(.delete, "/v1/messages/\(replyID)/feedback", as: owner).status == .noContent)
            #expect(try await client.send(.delete, "/v1/messages/\(replyID)/feedback", as: owner).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner).object()["thumbs_down"] as? Int == 0)

            #expect(try await client.send(.delete, "\(base)/conv-1", as: owner).status == .noContent)
            #expect(try await client.send(.delete, "\(base)/conv-1", as: owner).isProblem(.notFound))
            #expect(try await client.send(.get, base, as: owner).ids() == [])
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner).object()["thumbs_up"] as? Int == 0)
        }
    }

    @Test func anotherTenantCannotReadWriteOrRate() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await api.test { client async throws in
            let agentID = try await makeAgent(client, owner)
            let base = "/v1/agents/\(agentID)/conversations"
            let message = try await client.send(.post, "\(base)/c/messages", as: owner, json: ["role": "user", "content": "private"])
            let messageID = try #require(try message.object()["id"] as? String)
            #expect(try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: owner, json: ["rating": 1]).status == .ok)

            #expect(try await client.send(.get, base, as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "\(base)/c/messages", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.post, "\(base)/c/messages", as: intruder, json: ["role": "user", "content": "spam"]).isProblem(.notFound))
            #expect(try await client.send(.delete, "\(base)/c", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: intruder, json: ["rating": 0]).isProblem(.notFound))
            #expect(try await client.send(.delete, "/v1/messages/\(messageID)/feedback", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: intruder).isProblem(.notFound))

            #expect(try await client.send(.get, "\(base)/c/messages", as: owner).ids() == [messageID])
            let report = try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner)
            #expect(try report.object()["thumbs_up"] as? Int == 1)
            #expect(try report.object()["thumbs_down"] as? Int == 0)
        }
    }
}
