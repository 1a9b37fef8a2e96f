import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// The tenant's recent conversations across its agents (`recentConversations`, migration 28).
@Suite struct RecentConversationTests {
    /// Conversations with two agents, each given messages in turn: the list holds them all, newest activity
    /// first across both agents, each with its agent's name, and walks to the end page by page. The same
    /// conversation id with each agent is two conversations. Another tenant's list holds none of them, and
    /// its cursor names nothing in theirs.
    @Test func newestFirstAcrossAgentsAndTenantsApart() async throws {
        let db = try await TestDatabase.make()
        let (user, other) = (try await db.makeUser(), try await db.makeUser())
        let expected = try await db.store.withTenant(user) { session in
            let first = try await session.createAgent(NewAgent(name: "Planner", systemPrompt: "p"))
            let second = try await session.createAgent(NewAgent(name: "Writer", systemPrompt: "p"))
            var order: [String] = []
            for index in 0..<7 {
                let agent = index.isMultiple(of: 2) ? first : second
                let conversation = ConversationID(rawValue: "chat-\(index / 2)")!
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "m\(index)"))
                order.insert("\(agent.name)/\(conversation.rawValue)", at: 0)
            }
            // Activity moves a conversation to the front.
            _ = try await session.appendMessage(
                agentID: first.id, conversationID: ConversationID(rawValue: "chat-0")!,
                NewMessage(role: .user, content: "again"))
            order.removeAll { $0 == "Planner/chat-0" }
            order.insert("Planner/chat-0", at: 0)
            return order
        }
        var listed: [String] = []
        var cursor: ConversationCursor?
        repeat {
            let page = try await db.store.withTenant(user) {
                try await $0.recentConversations(limit: 3, after: cursor)
            }
            listed += page.items.map { "\($0.agentName)/\($0.conversation.id.rawValue)" }
            cursor =
                page.hasMore
                ? page.items.last.map { ConversationCursor(agentID: $0.conversation.agentID, conversationID: $0.conversation.id) }
                : nil
            #expect(page.items.count <= 3)
        } while cursor != nil
        #expect(listed == expected)
        let newest = try await db.store.withTenant(user) { try await $0.recentConversations(limit: 1, after: nil) }
        #expect(newest.items.first?.conversation.lastMessage?.content == "again")
        #expect(newest.items.first?.conversation.messageCount == 2)
        #expect(newest.hasMore)

        let theirs = try await db.store.withTenant(other) { try await $0.recentConversations(limit: 100, after: nil) }
        #expect(theirs.items.isEmpty && !theirs.hasMore)
        let mine = try #require(newest.items.first?.conversation)
        await #expect(throws: StoreError.invalid(field: .conversationCursor, reason: "names no conversation of yours")) {
            try await db.store.withTenant(other) {
                try await $0.recentConversations(
                    limit: 10, after: ConversationCursor(agentID: mine.agentID, conversationID: mine.id))
            }
        }
    }

    /// A cursor spelled by the platform reads back as the same conversation; anything else reads as none.
    @Test func cursorTokensRoundTripAndRefuseTheRest() throws {
        let cursor = ConversationCursor(
            agentID: AgentID(rawValue: "a/1")!, conversationID: ConversationID(rawValue: "my chat ✓")!)
        #expect(ConversationCursor(token: cursor.token) == cursor)
        #expect(cursor.token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        for token in ["", "not a cursor", "e30", String(repeating: "A", count: 3_000)] {
            #expect(ConversationCursor(token: token) == nil)
        }
    }
}
