import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

@Suite struct ConversationTests {
    @Test func conversationPagesInBothDirections() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let (agent, ids) = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            var ids: [String] = []
            for index in 0..<25 {
                let role: Message.Role = index % 2 == 0 ? .user : .assistant
                ids.append(
                    try await session.appendMessage(
                        agentID: agent.id, conversationID: ConversationID(rawValue: "conv")!,
                        NewMessage(role: role, content: "m\(index)", metadata: .object(["i": .number(Double(index))]))
                    ).id.rawValue)
            }
            return (agent, ids)
        }
        // Forward, oldest first.
        let read = { (cursor: PageRequest.Cursor?) in
            let page = try await db.store.withTenant(user) {
                try await $0.messages(
                    agentID: agent.id, conversationID: ConversationID(rawValue: "conv")!,
                    PageRequest(limit: 10, cursor: cursor, order: .ascending))
            }
            return PageWalk.Step(page) { $0.id.rawValue }
        }
        #expect(try await PageWalk.forward { try await read($0.map { .after($0) }) } == ids)

        // Backward from the newest, in the same order.
        #expect(try await PageWalk.backward(from: ids.last!) { try await read(.before($0)) } + [ids.last!] == ids)

        let newest = try await db.store.withTenant(user) {
            try await $0.messages(
                agentID: agent.id, conversationID: ConversationID(rawValue: "conv")!, PageRequest(limit: 3, order: .descending))
        }
        #expect(newest.items.map(\.id.rawValue) == Array(ids.suffix(3).reversed()))
        #expect(newest.items.first?.metadata == .object(["i": .number(24)]))

        // An unknown conversation is not found; a conversation without messages is an empty page.
        await #expect(throws: StoreError.notFound(resource: "conversation")) {
            try await db.store.withTenant(user) {
                try await $0.messages(
                    agentID: agent.id, conversationID: ConversationID(rawValue: "none")!, PageRequest(order: .ascending))
            }
        }
        let empty = try await db.store.withTenant(user) { session in
            let created = try await session.createConversation(agentID: agent.id, NewConversation(title: "empty"))
            return try await session.messages(agentID: agent.id, conversationID: created.id, PageRequest(order: .ascending))
        }
        #expect(empty.items.isEmpty && !empty.hasMore)
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await db.store.withTenant(user) {
                try await $0.messages(
                    agentID: AgentID(rawValue: "missing")!, conversationID: ConversationID(rawValue: "conv")!,
                    PageRequest(order: .ascending))
            }
        }
        await #expect(throws: StoreError.self) {
            try await db.store.withTenant(user) {
                try await $0.messages(
                    agentID: agent.id, conversationID: ConversationID(rawValue: "conv")!,
                    PageRequest(cursor: .after("missing"), order: .ascending))
            }
        }
    }

    @Test func conversationsListWithLatestMessageAndCount() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            for conversation in ["one", "two", "three"].map({ ConversationID(rawValue: $0)! }) {
                for index in 0..<3 {
                    _ = try await session.appendMessage(
                        agentID: agent.id, conversationID: conversation,
                        NewMessage(role: .user, content: "\(conversation) \(index)"))
                }
            }
            let latest = try await session.appendMessage(
                agentID: agent.id, conversationID: ConversationID(rawValue: "one")!, NewMessage(role: .assistant, content: "last")
            )

            let page = try await session.conversations(agentID: agent.id, PageRequest(limit: 2, order: .descending))
            #expect(page.items.map(\.id.rawValue) == ["one", "three"])
            #expect(page.items[0].messageCount == 4 && page.items[0].lastMessage == latest)
            #expect(page.hasMore)
            let rest = try await session.conversations(
                agentID: agent.id, PageRequest(limit: 2, cursor: .after("three"), order: .descending))
            #expect(rest.items.map(\.id.rawValue) == ["two"] && !rest.hasMore)

            // Deleting the latest message moves the summary back; deleting the conversation removes it.
            try await session.deleteConversation(agentID: agent.id, conversationID: ConversationID(rawValue: "two")!)
            let after = try await session.conversations(agentID: agent.id, PageRequest(order: .descending))
            #expect(after.items.map(\.id.rawValue) == ["one", "three"])
            await #expect(throws: StoreError.notFound(resource: "conversation")) {
                try await session.deleteConversation(agentID: agent.id, conversationID: ConversationID(rawValue: "two")!)
            }
        }
    }

    /// A database of its own (the tests race transactions), a user, their agent, and its conversation `x`
    /// of one message.
    static func agentWithAConversation() async throws -> (TestDatabase, UserID, Agent, ConversationID) {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let conversation = ConversationID(rawValue: "x")!
        let agent = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            _ = try await session.appendMessage(
                agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "one"))
            return agent
        }
        return (db, user, agent, conversation)
    }

    /// A conversation deleted while a message is being added to it goes whole: once, the message survived
    /// the delete without its summary, so the conversation was unlisted and 404 with a message in it.
    @Test func aConversationDeletedWhileAMessageIsAddedLeavesNoMessageBehind() async throws {
        let (db, user, agent, conversation) = try await Self.agentWithAConversation()
        let (appended, appending) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        // A message added in a transaction held open until the delete is under way.
        let adding = Task {
            try await db.store.withTenant(user) { session in
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "late"))
                appending.yield()
                for await _ in release { break }
            }
        }
        for await _ in appended { break }
        let deleting = Task {
            try await db.store.withTenant(user) {
                try await $0.deleteConversation(agentID: agent.id, conversationID: conversation)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        releasing.yield()
        try await adding.value
        _ = try await deleting.value
        let listed = try await db.store.withTenant(user) {
            try await $0.conversations(agentID: agent.id, PageRequest(order: .descending))
        }
        #expect(listed.items.isEmpty)
        let left = try await db.admin.query(
            "SELECT count(*) FROM agent_messages WHERE agent_id = \(agent.id.rawValue)", logger: db.logger
        ).collect().first?.decode(Int.self)
        #expect(left == 0)
    }

    /// Runs `write` while a delete of the conversation holds its transaction open, its statements run,
    /// and returns what `write` returned once the delete has committed.
    private static func whileItsConversationIsDeleted<Written: Sendable>(
        of fixture: (TestDatabase, UserID, Agent, ConversationID)? = nil,
        _ write: @escaping @Sendable (TenantSession, Agent, ConversationID) async throws -> Written
    ) async throws -> (TestDatabase, UserID, Agent, ConversationID, Result<Written, any Error>) {
        let made: (TestDatabase, UserID, Agent, ConversationID)
        if let fixture { made = fixture } else { made = try await Self.agentWithAConversation() }
        let (db, user, agent, conversation) = made
        let (deleted, deleting) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let deletion = Task {
            try await db.store.withTenant(user) { session in
                _ = try await session.deleteConversation(agentID: agent.id, conversationID: conversation)
                deleting.yield()
                for await _ in release { break }
            }
        }
        for await _ in deleted { break }
        let writing = Task { try await db.store.withTenant(user) { try await write($0, agent, conversation) } }
        try await Task.sleep(for: .milliseconds(300))
        releasing.yield()
        try await deletion.value
        let written = await writing.result
        return (db, user, agent, conversation, written)
    }

    /// A message added while its conversation is being deleted starts the conversation anew once the delete
    /// has committed: it waits for the delete instead of naming a parent the delete removes (which failed
    /// the append with a foreign key's vague not-found).
    @Test func aMessageAddedWhileItsConversationIsDeletedStartsItAnew() async throws {
        let (db, user, agent, conversation, added) = try await Self.whileItsConversationIsDeleted { session, agent, id in
            try await session.appendMessage(agentID: agent.id, conversationID: id, NewMessage(role: .user, content: "late"))
        }
        #expect(try added.get().parentID == nil)
        let listed = try await db.store.withTenant(user) {
            try await $0.messages(agentID: agent.id, conversationID: conversation, PageRequest(order: .ascending))
        }
        #expect(listed.items.map(\.content) == ["late"])
    }

    /// So does a reply's message: it named the deleted last message as its parent and failed the same way.
    @Test func aReplyStartedWhileItsConversationIsDeletedStartsItAnew() async throws {
        let (_, _, _, _, started) = try await Self.whileItsConversationIsDeleted { session, agent, id in
            try await session.beginReply(
                agentID: agent.id, conversationID: id, NewReply(content: "late"), limits: .unlimited, budget: ContextBudget())
        }
        let start = try started.get()
        #expect(start.prompt.parentID == nil)
        #expect(start.history.map(\.id) == [start.prompt.id])
    }

    /// A reply to a message the delete removes says that its parent is not in the conversation (a 422),
    /// rather than failing on the foreign key.
    @Test func aReplyToAMessageBeingDeletedNamesItsParent() async throws {
        let fixture = try await Self.agentWithAConversation()
        let (db, user, agent, conversation) = fixture
        let parent = try await db.store.withTenant(user) {
            try await $0.messages(agentID: agent.id, conversationID: conversation, PageRequest(order: .ascending))
        }.items[0].id
        // Whether the reply waits for the delete or, on a loaded machine, comes after it, its parent is gone.
        let (_, _, _, _, started) = try await Self.whileItsConversationIsDeleted(of: fixture) { session, agent, id in
            try await session.beginReply(
                agentID: agent.id, conversationID: id, NewReply(content: "late", parentID: parent), limits: .unlimited,
                budget: ContextBudget())
        }
        #expect(throws: StoreError.invalid(field: .parentID, reason: "names no message of this conversation")) {
            try started.get()
        }
    }

    @Test func feedbackSetChangeRemoveAndTotals() async throws {
        let f = try await TenantFixture.make()
        try await f.db.store.withTenant(f.a.user) { session in
            let second = try await session.appendMessage(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "c1")!,
                NewMessage(role: .assistant, content: "answer"))
            let first = try await session.setFeedback(messageID: second.id, NewFeedback(rating: 1, comment: "good"))
            let changed = try await session.setFeedback(messageID: second.id, NewFeedback(rating: 0, comment: "actually no"))
            #expect(changed.id == first.id && changed.rating == 0 && changed.agentID == f.a.agent.id)

            let report = try await session.feedback(agentID: f.a.agent.id, PageRequest(order: .descending))
            #expect(report.thumbsUp == 1 && report.thumbsDown == 1 && report.page.items.count == 2)

            try await session.removeFeedback(messageID: second.id)
            await #expect(throws: StoreError.notFound(resource: "feedback")) {
                try await session.removeFeedback(messageID: second.id)
            }
            await #expect(throws: StoreError.invalid(field: .rating, reason: "must be 0 or 1")) {
                try await session.setFeedback(messageID: second.id, NewFeedback(rating: 2))
            }
        }
        // Through the API, B's message is not found for A.
        await #expect(throws: StoreError.notFound(resource: "message")) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.setFeedback(messageID: f.b.message.id, NewFeedback(rating: 1))
            }
        }
    }
}
