import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import Testing

@Suite(.oneDatabase) struct ConversationRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    /// A user's message in a new agent's conversation `c`; its id.
    func userMessage(_ client: any TestClientProtocol, _ owner: Tenant) async throws -> String {
        let agentID = try await client.createAgent(as: owner)
        let posted = try await client.send(
            .post, "/v1/agents/\(agentID)/conversations/c/messages", as: owner, json: ["role": "user", "content": "Hello"])
        return try posted.decode(Schemas.Message.self).id
    }

    @Test func aUsersMessageIsNoReplyToReattachTo() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let messageID = try await userMessage(client, owner)
            #expect(try await client.send(.get, "/v1/messages/\(messageID)/stream", as: owner).isProblem(.notFound))
        }
    }

    /// Each creation's 201 names the created resource in `Location`, which reads it back; a client-chosen
    /// conversation id is percent-encoded there as a path segment.
    @Test func createdResourcesAreNamedInLocation() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agent = try await client.send(.post, "/v1/agents", as: owner, json: ["name": "located", "system_prompt": "p"])
            let agentID = try agent.decode(Schemas.Agent.self).id
            #expect(agent.headers[.location] == "/v1/agents/\(agentID)")
            let connection = try await client.send(
                .post, "/v1/connections", as: owner, json: ["name": "c", "service": "other", "api_key": "sk-located-1234"])
            #expect(connection.headers[.location] == "/v1/connections/\(try connection.decode(Schemas.Connection.self).id)")
            let conversation = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations", as: owner, json: ["id": "my chat/ü"])
            let conversationPath = try #require(conversation.headers[.location])
            #expect(conversationPath == "/v1/agents/\(agentID)/conversations/my%20chat%2F%C3%BC")
            #expect(try await client.send(.get, conversationPath, as: owner).status == .ok)
            let message = try await client.send(
                .post, "\(conversationPath)/messages", as: owner, json: ["role": "user", "content": "hi"])
            let messagePath = try #require(message.headers[.location])
            #expect(messagePath == "/v1/messages/\(try message.decode(Schemas.Message.self).id)")
            for path in [try #require(agent.headers[.location]), try #require(connection.headers[.location]), messagePath] {
                #expect(try await client.send(.get, path, as: owner).status == .ok, "\(path)")
            }
        }
    }

    /// Regenerate and cancel take no body: one that would have been ignored (`{"stream": false}`) is a 400;
    /// none, or `{}`, is taken.
    @Test func operationsWithoutABodyRefuseOne() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let messageID = try await userMessage(client, owner)
            for operation in ["regenerate", "cancel"] {
                let refused = try await client.send(
                    .post, "/v1/messages/\(messageID)/\(operation)", as: owner, json: ["stream": false])
                #expect(refused.isProblem(.badRequest), "\(operation)")
                #expect(try refused.problem().detail.contains("takes no request body"), "\(operation)")
            }
            // A body past what `{}` takes is the same refusal, not the body limit's 413.
            let long = try await client.send(
                .post, "/v1/messages/\(messageID)/cancel", as: owner, json: ["padding": String(repeating: "x", count: 2_000)])
            #expect(long.isProblem(.badRequest))
            #expect(try await client.send(.post, "/v1/messages/\(messageID)/cancel", as: owner, json: [:]).status == .ok)
            #expect(try await client.send(.post, "/v1/messages/\(messageID)/cancel", as: owner).status == .ok)
        }
    }

    /// Metadata comes back as it was sent: a whole number past 2^53 is not rounded, and the six characters
    /// `\u0000` in a string are text, not the NUL that jsonb refuses (which is still refused).
    @Test func metadataComesBackAsItWasSent() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let path = "/v1/agents/\(agentID)/conversations/c/messages"
            let body =
                #"{"role":"user","content":"x","metadata":{"id":9007199254740993,"low":-9007199254740995,"#
                + #""code":"printf(\"\\u0000\")","n":1.5}}"#
            let posted = try await client.sendRaw(.post, path, as: owner, bytes: Array(body.utf8))
            #expect(posted.status == .created, "\(posted.text)")
            let id = try posted.decode(Schemas.Message.self).id
            let read = try await client.send(.get, "/v1/messages/\(id)", as: owner).text
            for kept in [#""id":9007199254740993"#, #""low":-9007199254740995"#, #""code":"printf(\"\\u0000\")""#, #""n":1.5"#] {
                #expect(read.contains(kept), "\(kept) in \(read)")
            }
            let nul = #"{"role":"user","content":"x","metadata":{"code":"a\u0000b"}}"#
            #expect(try await client.sendRaw(.post, path, as: owner, bytes: Array(nul.utf8)).isProblem(.unprocessableContent))
        }
    }

    /// A title taken from a first message is at most 60 characters and 200 code points, as the database
    /// counts: a line of 29 family emoji (7 code points each) was kept whole, and its 203 code points failed
    /// the title's check, refusing the message (a 422 naming `value`) and losing it.
    @Test func aTitleFromAMessageFitsTheDatabasesLimit() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            for (conversation, line) in [
                ("families", String(repeating: "👨‍👩‍👧‍👦", count: 29)), ("plain", String(repeating: "a", count: 70)),
            ] {
                let sent = try await client.send(
                    .post, "/v1/agents/\(agentID)/conversations/\(conversation)/messages", as: owner,
                    json: ["role": "user", "content": line])
                #expect(sent.status == .created, "\(sent.text)")
                let title = try #require(
                    try await client.send(.get, "/v1/agents/\(agentID)/conversations/\(conversation)", as: owner)
                        .decode(Schemas.Conversation.self).title)
                #expect(title.unicodeScalars.count <= 200 && title.count <= 60 && title.hasSuffix("…"))
                #expect(line.hasPrefix(String(title.dropLast())))
            }
        }
    }

    /// A conversation started empty was last active when it was created, to the microsecond.
    @Test func anEmptyConversationWasLastActiveWhenCreated() async throws {
        let owner = try await api.makeUser()
        let agent = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "a", systemPrompt: "p"))
        }
        for _ in 0..<5 {
            let created = try await api.db.store.withTenant(owner.id) {
                try await $0.createConversation(agentID: agent.id, NewConversation())
            }
            #expect(created.lastMessageAt == created.createdAt)
        }
    }

    @Test func aConversationIsRenamedByItsOwnerOnly() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let base = "/v1/agents/\(agentID)/conversations"
            let created = try await client.send(.post, base, as: owner, json: ["title": "Draft"])
            let id = try created.decode(Schemas.Conversation.self).id
            let path = "\(base)/\(id)"

            let renamed = try await client.send(.patch, path, as: owner, json: ["title": "Quarterly plan"])
            #expect(renamed.status == .ok)
            #expect(try renamed.decode(Schemas.Conversation.self).title == "Quarterly plan")
            #expect(try await client.send(.get, path, as: owner).decode(Schemas.Conversation.self).title == "Quarterly plan")

            #expect(try await client.send(.patch, path, as: owner, json: ["title": ""]).isProblem(.unprocessableContent))
            // A title of spaces alone is refused too: lists link a conversation by its title, and that link was
            // nothing to click.
            let blank = try await client.send(.patch, path, as: owner, json: ["title": " \u{3000}\t"])
            #expect(blank.isProblem(.unprocessableContent))
            #expect(try blank.problem().errors?.first?.reason == "must not be blank")
            #expect(try await client.send(.post, base, as: owner, json: ["title": "  "]).isProblem(.unprocessableContent))
            #expect(
                try await client.send(.patch, path, as: owner, json: ["title": String(repeating: "t", count: 201)])
                    .isProblem(.unprocessableContent))
            #expect(try await client.send(.patch, path, as: owner, json: ["name": "x"]).isProblem(.badRequest))
            #expect(try await client.send(.patch, "\(base)/unknown", as: owner, json: ["title": "t"]).isProblem(.notFound))
            // Another tenant's conversation does not exist for them, and keeps its title.
            #expect(try await client.send(.patch, path, as: other, json: ["title": "Mine"]).isProblem(.notFound))
            #expect(try await client.send(.get, path, as: owner).decode(Schemas.Conversation.self).title == "Quarterly plan")
        }
    }

    @Test func messagesConversationsAndFeedback() async throws {
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let base = "/v1/agents/\(agentID)/conversations"
            let first = try await client.send(
                .post, "\(base)/conv-1/messages", as: owner, json: ["role": "user", "content": "Hello", "metadata": ["k": 1]])
            #expect(first.status == .created)
            let message = try first.decode(Schemas.Message.self)
            let messageID = message.id
            #expect(message.role == .user && message.content == "Hello" && message.conversationId == "conv-1")
            #expect((message.metadata.value as? [String: (any Sendable)?])?["k"] as? Int == 1)
            let reply = try await client.send(
                .post, "\(base)/conv-1/messages", as: owner, json: ["role": "assistant", "content": "Hi"])
            let replyID = try reply.decode(Schemas.Message.self).id
            #expect(
                try await client.send(.post, "\(base)/conv-1/messages", as: owner, json: ["role": "robot", "content": "x"])
                    .isProblem(.unprocessableContent))
            #expect(
                try await client.send(.get, "\(base)/conv-1/messages", as: owner).ids(Schemas.MessagePage.self) == [
                    messageID, replyID,
                ])
            let conversations = try await client.send(.get, base, as: owner)
            let conversation = try #require(try conversations.decode(Schemas.ConversationPage.self).data.first)
            #expect(try conversations.ids(Schemas.ConversationPage.self) == ["conv-1"])
            #expect(conversation.messageCount == 2)
            #expect(conversation.lastMessage?.value1?.id == replyID)

            let up = try await client.send(
                .put, "/v1/messages/\(messageID)/feedback", as: owner, json: ["rating": 1, "comment": "good"])
            #expect(up.status == .ok)
            #expect(try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": 0]).status == .ok)
            #expect(
                try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": 2]).isProblem(
                    .unprocessableContent))
            #expect(
                try await client.send(.put, "/v1/messages/\(replyID)/feedback", as: owner, json: ["rating": "1"]).isProblem(
                    .badRequest))
            let report = try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner)
            #expect(report.status == .ok)
            let totals = try report.decode(Schemas.FeedbackPage.self)
            #expect(totals.thumbsUp == 1)
            #expect(totals.thumbsDown == 1)
            #expect(totals.ids.count == 2)
            #expect(totals.data.first { $0.messageId == messageID }?.comment == "good")
            #expect(try await client.send(.delete, "/v1/messages/\(replyID)/feedback", as: owner).status == .noContent)
            #expect(try await client.send(.delete, "/v1/messages/\(replyID)/feedback", as: owner).isProblem(.notFound))
            #expect(
                try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner).decode(Schemas.FeedbackPage.self)
                    .thumbsDown == 0)

            #expect(try await client.send(.delete, "\(base)/conv-1", as: owner).status == .noContent)
            #expect(try await client.send(.delete, "\(base)/conv-1", as: owner).isProblem(.notFound))
            #expect(try await client.send(.get, base, as: owner).ids(Schemas.ConversationPage.self) == [])
            #expect(
                try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner).decode(Schemas.FeedbackPage.self)
                    .thumbsUp == 0)
        }
    }

    @Test func anotherTenantCannotReadWriteOrRate() async throws {
        let owner = try await api.makeUser("owner")
        let intruder = try await api.makeUser("intruder")
        try await api.test { client async throws in
            let agentID = try await client.createAgent(as: owner)
            let base = "/v1/agents/\(agentID)/conversations"
            let message = try await client.send(
                .post, "\(base)/c/messages", as: owner, json: ["role": "user", "content": "private"])
            let messageID = try message.decode(Schemas.Message.self).id
            #expect(
                try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: owner, json: ["rating": 1]).status == .ok)

            #expect(try await client.send(.get, base, as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "\(base)/c/messages", as: intruder).isProblem(.notFound))
            #expect(
                try await client.send(.post, "\(base)/c/messages", as: intruder, json: ["role": "user", "content": "spam"])
                    .isProblem(.notFound))
            #expect(try await client.send(.delete, "\(base)/c", as: intruder).isProblem(.notFound))
            #expect(
                try await client.send(.put, "/v1/messages/\(messageID)/feedback", as: intruder, json: ["rating": 0]).isProblem(
                    .notFound))
            #expect(try await client.send(.delete, "/v1/messages/\(messageID)/feedback", as: intruder).isProblem(.notFound))
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: intruder).isProblem(.notFound))

            #expect(try await client.send(.get, "\(base)/c/messages", as: owner).ids(Schemas.MessagePage.self) == [messageID])
            let report = try await client.send(.get, "/v1/agents/\(agentID)/feedback", as: owner).decode(
                Schemas.FeedbackPage.self)
            #expect(report.thumbsUp == 1)
            #expect(report.thumbsDown == 0)
        }
    }
}
