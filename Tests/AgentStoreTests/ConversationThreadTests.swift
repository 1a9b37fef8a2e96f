import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// A conversation that branches (a message edited and sent again, a reply regenerated) is read as one
/// thread at a time, each message with its versions; the model of a reply sees the thread it answers.
@Suite struct ConversationThreadTests {
    private static let conversation = ConversationID(rawValue: "branches")!

    /// Starts a reply to `new` and settles it complete; the prompt and the reply.
    private func exchange(_ f: TenantFixture, _ new: NewReply) async throws -> ReplyStart {
        try await f.db.store.withTenant(f.a.user) { session in
            let start = try await session.beginReply(
                agentID: f.a.agent.id, conversationID: Self.conversation, new, limits: .unlimited,
                budget: ContextBudget(promptTokens: 10_000))
            try await Self.settle(start, in: session)
            return start
        }
    }

    private func regenerate(_ f: TenantFixture, _ reply: MessageID) async throws -> ReplyStart {
        try await f.db.store.withTenant(f.a.user) { session in
            let start = try await session.beginRegeneration(
                of: reply, limits: .unlimited, budget: ContextBudget(promptTokens: 10_000))
            try await Self.settle(start, in: session)
            return start
        }
    }

    private static func settle(_ start: ReplyStart, in session: TenantSession) async throws {
        _ = try await session.settleReply(
            start.reply.id, call: start.call, .completed("answer to \(start.prompt.content)"))
    }

    private func thread(_ f: TenantFixture, _ end: ConversationThread.End, limit: Int = 100) async throws -> ConversationThread {
        try await f.db.store.withTenant(f.a.user) {
            try await $0.thread(agentID: f.a.agent.id, conversationID: Self.conversation, ending: end, limit: limit)
        }
    }

    @Test func editsAndRegenerationsAreVersionsEachInAThreadOfItsOwn() async throws {
        let f = try await TenantFixture.make()
        let first = try await exchange(f, NewReply(content: "m1"))
        let second = try await exchange(f, NewReply(content: "m2"))
        let regenerated = try await regenerate(f, second.reply.id)
        let edited = try await exchange(f, NewReply(content: "m2 edited", parentID: first.reply.id))
        #expect(edited.history.map(\.content) == ["m1", "answer to m1", "m2 edited"])
        let anew = try await exchange(f, NewReply(content: "m1 edited", startsAnew: true))
        // The model of the new first message sees it alone, not the conversation before it.
        #expect(anew.history.map(\.id) == [anew.prompt.id])
        #expect(anew.prompt.parentID == nil)
        #expect(anew.prompt.startsAnew && !first.prompt.startsAnew && !anew.reply.startsAnew)

        // The newest thread: the first message's second version and its reply.
        let newest = try await thread(f, .newest)
        #expect(newest.messages.map(\.message.id) == [anew.prompt.id, anew.reply.id])
        #expect(!newest.hasEarlier)
        #expect(newest.messages[0].follows == nil)
        #expect(newest.messages[0].versions == MessageVersions(count: 2, position: 2, previous: first.prompt.id, next: nil))
        #expect(newest.messages[1].versions == MessageVersions(count: 1, position: 1, previous: nil, next: nil))

        // Through the first version: to the newest message after it, the edited second message's reply.
        let throughFirst = try await thread(f, .through(first.prompt.id))
        #expect(
            throughFirst.messages.map(\.message.id) == [first.prompt.id, first.reply.id, edited.prompt.id, edited.reply.id])
        #expect(throughFirst.messages[0].versions == MessageVersions(count: 2, position: 1, previous: nil, next: anew.prompt.id))
        #expect(throughFirst.messages[2].follows == first.reply.id)
        #expect(
            throughFirst.messages[2].versions == MessageVersions(count: 2, position: 2, previous: second.prompt.id, next: nil))

        // Through the second message's first version: its newest reply, the regenerated one.
        let throughSecond = try await thread(f, .through(second.prompt.id))
        #expect(throughSecond.messages.map(\.message.id).suffix(2) == [second.prompt.id, regenerated.reply.id])
        #expect(
            throughSecond.messages[3].versions
                == MessageVersions(count: 2, position: 2, previous: second.reply.id, next: nil))
        let throughReply = try await thread(f, .through(second.reply.id))
        #expect(throughReply.messages.last?.message.id == second.reply.id)
        #expect(
            throughReply.messages[3].versions
                == MessageVersions(count: 2, position: 1, previous: nil, next: regenerated.reply.id))

        // Exactly at a message, and cut to a limit: the earlier messages are there to read on.
        #expect(try await thread(f, .at(first.reply.id)).messages.map(\.message.id) == [first.prompt.id, first.reply.id])
        let cut = try await thread(f, .through(second.reply.id), limit: 2)
        #expect(cut.messages.map(\.message.id) == [second.prompt.id, second.reply.id])
        #expect(cut.hasEarlier)
        #expect(cut.messages.first?.follows == first.reply.id)
    }

    @Test func aMessageOfAnotherConversationOrTenantIsNotFound() async throws {
        let f = try await TenantFixture.make()
        let first = try await exchange(f, NewReply(content: "m1"))
        for end in [ConversationThread.End.through(f.b.message.id), .at(f.b.message.id), .at(f.a.message.id)] {
            await #expect(throws: StoreError.notFound(resource: "message")) { try await thread(f, end) }
        }
        // Another tenant's agent is not found, as every read of it; an unknown conversation of one's own is not.
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await f.db.store.withTenant(f.b.user) {
                try await $0.thread(agentID: f.a.agent.id, conversationID: Self.conversation, ending: .newest, limit: 10)
            }
        }
        await #expect(throws: StoreError.notFound(resource: "conversation")) {
            try await f.db.store.withTenant(f.b.user) {
                try await $0.thread(agentID: f.b.agent.id, conversationID: Self.conversation, ending: .newest, limit: 10)
            }
        }
        await #expect(
            throws: StoreError.invalid(
                field: .parentID, reason: "cannot be given for a message that starts the conversation anew")
        ) {
            try await exchange(f, NewReply(content: "both", parentID: first.reply.id, startsAnew: true))
        }
    }

    /// Messages an app stored with the seed's columns have no parent: each follows the one before it, and has
    /// no other version; a reply to the last one follows it too.
    @Test func messagesWithoutParentsFollowTheOneBeforeThem() async throws {
        let f = try await TenantFixture.make()
        for content in ["old question", "old answer"] {
            try await f.db.admin.query(
                """
                INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content)
                VALUES (\(f.a.agent.id.rawValue), \(Self.conversation.rawValue), \(f.a.user.rawValue), \(f.a.user.rawValue),
                        'user', \(content))
                """, logger: f.db.logger)
        }
        let next = try await exchange(f, NewReply(content: "new question"))
        let newest = try await thread(f, .newest)
        #expect(
            newest.messages.map(\.message.content) == ["old question", "old answer", "new question", "answer to new question"])
        #expect(newest.messages.map(\.versions.count) == [1, 1, 1, 1])
        #expect(newest.messages[1].follows == newest.messages[0].message.id)
        #expect(next.history.map(\.content) == ["old question", "old answer", "new question"])
        // A thread through the first of them (a search hit, say) goes on to the newest message, as the
        // messages without parents follow one another.
        let through = try await thread(f, .through(newest.messages[0].message.id))
        #expect(through.messages.map(\.message.id) == newest.messages.map(\.message.id))
        #expect(try await thread(f, .through(newest.messages[1].message.id)).messages.count == 4)
    }

    /// A thread is cut where a page of messages is: once its content passes 4 MiB, the last message kept.
    @Test func aThreadStopsOnceItsContentPassesAPagesBound() async throws {
        let f = try await TenantFixture.make()
        try await f.db.admin.query(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, created_at)
            SELECT \(f.a.agent.id.rawValue), \(Self.conversation.rawValue), \(f.a.user.rawValue), \(f.a.user.rawValue),
                   'user', repeat('x', 1000000), now() + g * interval '1 second'
              FROM generate_series(1, 6) g
            """, logger: f.db.logger)
        let newest = try await thread(f, .newest)
        #expect(newest.messages.count == 4)
        #expect(newest.hasEarlier)
        let single = try await thread(f, .newest, limit: 1)
        #expect(single.messages.count == 1)
        #expect(single.hasEarlier)
    }
}
