import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite struct SearchTests {
    /// A tenant with one agent and the given conversations (id, title or nil, messages), created through
    /// the store.
    static func tenant(
        _ db: TestDatabase, _ label: String, _ conversations: [(id: String, title: String?, messages: [String])]
    ) async throws -> (user: UserID, agent: AgentID, messages: [String: MessageID]) {
        let user = try await db.makeUser(label)
        return try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "\(label) agent", systemPrompt: "p"))
            var messages: [String: MessageID] = [:]
            for conversation in conversations {
                let id = ConversationID(rawValue: conversation.id)!
                if let title = conversation.title {
                    _ = try await session.createConversation(agentID: agent.id, NewConversation(id: id, title: title))
                }
                for (index, content) in conversation.messages.enumerated() {
                    messages[content] =
                        try await session.appendMessage(
                            agentID: agent.id, conversationID: id,
                            NewMessage(role: index % 2 == 0 ? .user : .assistant, content: content)
                        ).id
                }
            }
            return (user, agent.id, messages)
        }
    }

    static func search(
        _ db: TestDatabase, _ user: UserID, _ text: String, agent: AgentID? = nil, limit: Int = 20,
        cursor: SearchCursor? = nil
    ) async throws -> SearchPage {
        try await db.store.withTenant(user) {
            try await $0.search(SearchQuery(text: text, agentID: agent), SearchPageRequest(limit: limit, cursor: cursor))
        }
    }

    @Test func ranksTitlesAndDenserMatchesFirstWithHighlightedSnippets() async throws {
        let db = try await TestDatabase.make()
        let (user, agent, messages) = try await Self.tenant(
            db, "a",
            [
                (
                    "plan", "Kubernetes deployment plan",
                    [
                        "We deploy on Friday after lunch, then we test the release and go home early.",
                        "The deployment to Kubernetes failed: Kubernetes ran out of memory while deploying.",
                        "Nothing to see here.",
                    ]
                ),
                ("other", nil, ["Lunch ideas: soup <b>or</b> salad"]),
            ])
        let page = try await Self.search(db, user, "kubernetes deploy")
        // The title weighs most; then the message with both words, twice; the one with a single word does
        // not match an `and` of two.
        #expect(page.hits.map(\.kind) == [.conversation, .message])
        #expect(page.hits.map(\.rank) == page.hits.map(\.rank).sorted(by: >))
        let title = try #require(page.hits.first)
        #expect(title.conversationID.rawValue == "plan" && title.messageID == nil && title.role == nil)
        #expect(title.agentID == agent && title.conversationTitle == "Kubernetes deployment plan")
        #expect(
            title.snippet == [
                SnippetPart(text: "Kubernetes", highlighted: true), SnippetPart(text: " ", highlighted: false),
                SnippetPart(text: "deployment", highlighted: true), SnippetPart(text: " plan", highlighted: false),
            ])
        let message = try #require(page.hits.last)
        #expect(
            message.messageID == messages["The deployment to Kubernetes failed: Kubernetes ran out of memory while deploying."])
        #expect(message.role == .assistant && message.conversationTitle == "Kubernetes deployment plan")
        // English stemming: "deploy" finds deployment and deploying; the highlighted parts are exactly the
        // matched words, and the parts put together are the text around them.
        #expect(
            Set(message.snippet.filter(\.highlighted).map(\.text)) == ["deployment", "Kubernetes", "deploying"])
        #expect(message.snippet.map(\.text).joined().contains("ran out of memory"))
        #expect(!page.hasMore && page.nextCursor == nil)

        // Any single word: the titled conversation, both messages, the denser one (two matches in fewer
        // words) ranked above the other.
        let deploy = try await Self.search(db, user, "deploy")
        #expect(deploy.hits.count == 3)
        #expect(deploy.hits.first?.kind == .conversation)
        #expect(
            deploy.hits.dropFirst().map(\.messageID) == [
                messages["The deployment to Kubernetes failed: Kubernetes ran out of memory while deploying."],
                messages["We deploy on Friday after lunch, then we test the release and go home early."],
            ])

        // Markup in a message is never passed through as markup: tags are left out, text is plain.
        let lunch = try await Self.search(db, user, "salad")
        let snippet = try #require(lunch.hits.first?.snippet)
        #expect(snippet.allSatisfy { !$0.text.contains("<") })
        #expect(snippet.filter(\.highlighted).map(\.text) == ["salad"])
        // The conversation titled after its first message is found by it too.
        #expect(lunch.hits.map(\.kind) == [.conversation, .message])
    }

    @Test func filtersByAgentAndRefusesAnotherTenantsAgent() async throws {
        let db = try await TestDatabase.make()
        let (user, first, _) = try await Self.tenant(db, "a", [("c1", nil, ["invoice for March"])])
        let second = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "second", systemPrompt: "p"))
            _ = try await session.appendMessage(
                agentID: agent.id, conversationID: ConversationID(rawValue: "c2")!,
                NewMessage(role: .user, content: "another invoice"))
            return agent.id
        }
        #expect(Set(try await Self.search(db, user, "invoice").hits.map(\.agentID)) == [first, second])
        #expect(Set(try await Self.search(db, user, "invoice", agent: second).hits.map(\.agentID)) == [second])
        let (other, otherAgent, _) = try await Self.tenant(db, "b", [("c1", nil, ["invoice of b"])])
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await Self.search(db, user, "invoice", agent: otherAgent)
        }
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await Self.search(db, other, "invoice", agent: AgentID(rawValue: "no-such-agent")!)
        }
    }

    @Test func pagesWithoutDuplicatesOrGaps() async throws {
        let db = try await TestDatabase.make()
        // 50 matching messages in five ranks (1 to 5 mentions), many of them tied, and a titled conversation.
        let contents = (0..<50).map { index in
            "note \(index): " + Array(repeating: "budget", count: 1 + index % 5).joined(separator: " ") + " and more text"
        }
        let (user, _, messages) = try await Self.tenant(
            db, "a", [("budget", "The budget", Array(contents.prefix(25))), ("rest", nil, Array(contents.suffix(25)))])
        let whole = try await Self.search(db, user, "budget", limit: 100)
        #expect(whole.hits.count == 52)  // 50 messages, the titled conversation and the one titled after its first message
        #expect(!whole.hasMore)

        var walked: [SearchHit] = []
        var cursor: SearchCursor?
        repeat {
            let page = try await Self.search(db, user, "budget", limit: 7, cursor: cursor)
            #expect(page.hits.count == 7 || page.nextCursor == nil)
            walked += page.hits
            // Through the token, as a client would hand it back.
            cursor = try page.nextCursor.map { try #require(SearchCursor(token: $0.token)) }
        } while cursor != nil
        #expect(walked == whole.hits)
        #expect(Set(walked.compactMap(\.messageID)) == Set(messages.values))
        #expect(walked.map(\.rank) == walked.map(\.rank).sorted(by: >))
    }

    @Test func aCursorOfAnotherSearchIsRefused() async throws {
        let db = try await TestDatabase.make()
        let (user, agent, _) = try await Self.tenant(db, "a", [("c", nil, ["apple pie", "apple tart", "apple juice"])])
        let first = try await Self.search(db, user, "apple", limit: 1)
        let cursor = try #require(first.nextCursor)
        for (text, filter) in [("apples", nil), ("apple", agent)] as [(String, AgentID?)] {
            await #expect(throws: StoreError.invalid(field: .searchCursor, reason: "belongs to another search")) {
                try await Self.search(db, user, text, agent: filter, cursor: cursor)
            }
        }
        #expect(try await Self.search(db, user, "apple", cursor: cursor).hits.count == 3)  // two messages and the title
        #expect(SearchCursor(token: "not a cursor") == nil)
        #expect(SearchCursor(token: cursor.token + "x") == nil)
        #expect(SearchCursor(token: "") == nil)
    }

    /// The last word also matches the beginning of a longer one, as a search box is read while its reader
    /// types ("harb" finds "harbour"), at every length from three characters on, into the suffix that
    /// English stemming takes off ("streami" finds "streaming", stored as `stream`) and for a stop word
    /// ("off" finds "office"; after other words one may be finished: "turn off" finds "turn off"); not a
    /// word of fewer than three characters, one excluded, one in quotes, or one its reader finished with a
    /// full stop.
    @Test func theLastWordMatchesAsItsReaderTypes() async throws {
        let db = try await TestDatabase.make()
        let (user, _, messages) = try await Self.tenant(
            db, "a",
            [
                (
                    "c", nil,
                    [
                        "Plan the harbour walk", "Harbor lights at night", "A walkthrough of the plan",
                        "Streaming replies from the office", "Turn off the heater before you go",
                    ]
                )
            ])
        let walk = try #require(messages["Plan the harbour walk"])
        let through = try #require(messages["A walkthrough of the plan"])
        let streaming = try #require(messages["Streaming replies from the office"])
        let found = { (text: String) in try await Self.search(db, user, text).hits.compactMap(\.messageID) }
        #expect(try await found("harbou") == [walk])
        #expect(try await found("harbou ") == [walk])
        #expect(try await found("plan harb") == [walk])
        #expect(Set(try await found("walk")) == [walk, through])
        for typed in ["str", "stre", "strea", "stream", "streami", "streamin", "streaming", "Streami", "off", "offic"] {
            #expect(try await found(typed) == [streaming], "\(typed)")
        }
        #expect(try await found("replies offi") == [streaming])
        // A stop word typed after other words may be finished: it asks nothing more of them.
        let turnOff = try #require(messages["Turn off the heater before you go"])
        for typed in ["turn off", "turn before", "turn off the", "go you"] {
            #expect(try await found(typed) == [turnOff], "\(typed)")
        }
        // Highlighted as matched: the whole word.
        let snippet = try #require(try await Self.search(db, user, "harbou").hits.first?.snippet)
        #expect(snippet.filter(\.highlighted).map(\.text) == ["harbour"])
        for finished in ["ha", "harbou.", "\"harbou\"", "\"plan harb"] {
            #expect(try await found(finished).isEmpty, "\(finished)")
        }
        // A word left out is left out as written, not every word it begins.
        #expect(try await found("plan -harbou").contains(walk))
        #expect(Set(try await found("lights or harbou")) == [walk, try #require(messages["Harbor lights at night"])])
    }

    @Test func oddInputNeverFails() async throws {
        let db = try await TestDatabase.make()
        let (user, _, messages) = try await Self.tenant(
            db, "a",
            [("c", nil, ["Café crème in Zürich", "日本語 テキスト", "cats OR dogs", "pay -5 dollars", "don't panic"])])
        for text in [
            "\"", "\"\"", "-", "--", "OR", "or", "and", "'", "\\", "&", "|", "!", "(", ")", ":*", "a & b | !c", "<->", "the",
            "-cats", "\"unterminated phrase", "%", "_", "$1", "';--", "🙂", "x:A", "café\u{301}",
            // Runs of `-` that PostgreSQL stacks as negations failed the statement past 32 of them.
            String(repeating: "-", count: 200), String(repeating: "-- ", count: 66), String(repeating: "-(-", count: 66),
            String(repeating: "- -", count: 60) + "cats",
        ] {
            _ = try await Self.search(db, user, text)
        }
        #expect(try await Self.search(db, user, "cafe").hits.isEmpty)  // no unaccenting: a different word
        // The conversation, titled after its first message, matches too; only the messages are compared.
        let cafe = try #require(messages["Café crème in Zürich"])
        let japanese = try #require(messages["日本語 テキスト"])
        #expect(try await Self.search(db, user, "café").hits.compactMap(\.messageID) == [cafe])
        #expect(try await Self.search(db, user, "zürich").hits.compactMap(\.messageID) == [cafe])
        #expect(try await Self.search(db, user, "日本語").hits.compactMap(\.messageID) == [japanese])
        #expect(try await Self.search(db, user, "cats -dogs").hits.isEmpty)
        #expect(try await Self.search(db, user, "cats - - -dogs").hits.isEmpty)
        #expect(try await Self.search(db, user, "pay -dollars").hits.isEmpty)
        #expect(try await Self.search(db, user, "\"don't panic\"").hits.contains { $0.messageID == messages["don't panic"] })

        for text in ["", "   ", "\n\t"] {
            await #expect(throws: StoreError.invalid(field: .searchText, reason: "must not be empty")) {
                try await Self.search(db, user, text)
            }
        }
        _ = try await Self.search(db, user, String(repeating: "é", count: SearchQuery.maximumLength))
        await #expect(throws: StoreError.invalid(field: .searchText, reason: "must be 1 to 200 characters")) {
            try await Self.search(db, user, String(repeating: "é", count: SearchQuery.maximumLength + 1))
        }
        await #expect(throws: StoreError.invalid(field: .searchText, reason: "must not contain NUL characters")) {
            try await Self.search(db, user, "a\u{0}b")
        }
        await #expect(throws: StoreError.invalid(field: .limit, reason: "must be 1 to 100")) {
            try await Self.search(db, user, "a", limit: 0)
        }
    }

    @Test func anotherTenantsMessagesNeverAppear() async throws {
        let db = try await TestDatabase.make()
        let (a, _, _) = try await Self.tenant(db, "a", [("c1", nil, ["my own note"])])
        let (b, bAgent, bMessages) = try await Self.tenant(
            db, "b", [("c1", "Zanzibar treasure map", ["the zanzibar treasure is under the palm"])])
        // The exact words, with phrases, alternatives and the other tenant's ids in a filter.
        for text in ["zanzibar", "\"zanzibar treasure\"", "treasure or note", "palm", "Zanzibar treasure map"] {
            let hits = try await Self.search(db, a, text).hits
            #expect(hits.allSatisfy { $0.messageID == nil || !bMessages.values.contains($0.messageID!) })
            #expect(hits.allSatisfy { $0.agentID != bAgent })
        }
        #expect(try await Self.search(db, a, "zanzibar").hits.isEmpty)
        #expect(try await Self.search(db, b, "zanzibar").hits.count == 2)
        // The same conversation id in both tenants: each sees only its own.
        #expect(try await Self.search(db, a, "note").hits.allSatisfy { $0.conversationTitle == "my own note" })

        // Raw SQL as the runtime role: the vectors and their index show a tenant nothing of another.
        let seen = try await db.asTenant(a) { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*) FROM agent_messages WHERE content_search @@ websearch_to_tsquery('english', 'zanzibar'))
                     + (SELECT count(*) FROM agent_conversations WHERE title_search @@ websearch_to_tsquery('english', 'zanzibar'))
                """, logger: db.logger
            ).collect().first?.decode(Int.self)
        }
        #expect(seen == 0)
    }

    /// Reverting migration 7 removes its columns and indexes (migration 24's, which replaced them, on the way)
    /// and gives `ts_match_vq` back its default; applying it again restores both, and the store searches again.
    @Test func migrationSevenGoesDownAndUpAgain() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let migrator = Migrator(client: db.admin, logger: db.logger)
        func state() async throws -> (leakproof: Bool, columns: Int, indexes: Int) {
            let row = try await db.admin.query(
                """
                SELECT (SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure),
                       (SELECT count(*)::int FROM information_schema.columns
                         WHERE table_schema = 'public' AND column_name IN ('content_search', 'title_search')),
                       (SELECT count(*)::int FROM pg_indexes
                         WHERE schemaname = 'public'
                           AND indexname IN ('agent_messages_owner_search_idx', 'agent_conversations_owner_search_idx'))
                """, logger: db.logger
            ).collect().first
            let (leakproof, columns, indexes) = try #require(row).decode((Bool, Int, Int).self)
            return (leakproof, columns, indexes)
        }
        #expect(try await state() == (true, 2, 2))
        try await migrator.down(to: 6)
        #expect(try await state() == (false, 0, 0))
        try await migrator.up()
        #expect(try await state() == (true, 2, 2))
        #expect(try await Self.search(db, user, "anything").hits.isEmpty)
    }

    /// The runtime role's plan reads the GIN index, among a few thousand messages of two tenants: row-level
    /// security would otherwise keep the match (not leakproof by default) out of the index scan.
    @Test func theRuntimeRolesSearchUsesTheIndex() async throws {
        let db = try await TestDatabase.make()
        let (a, agentA, _) = try await Self.tenant(db, "a", [("c", nil, ["first"])])
        let (b, agentB, _) = try await Self.tenant(db, "b", [("c", nil, ["first"])])
        for (user, agent) in [(a, agentA), (b, agentB)] {
            try await db.admin.query(
                """
                INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content)
                SELECT \(agent.rawValue), 'bulk-' || (g % 40), \(user.rawValue), \(user.rawValue), 'user',
                       'filler words number ' || g || CASE WHEN g % 500 = 0 THEN ' needle' ELSE '' END
                  FROM generate_series(1, 3000) g
                """, logger: db.logger)
        }
        try await db.admin.query("ANALYZE agent_messages", logger: db.logger)
        try await db.admin.query("ANALYZE agent_conversations", logger: db.logger)
        let leakproof = try await db.admin.query(
            "SELECT proleakproof FROM pg_proc WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure",
            logger: db.logger
        ).collect().first?.decode(Bool.self)
        #expect(leakproof == true)

        let statement = TenantSession.searchStatement(tenant: a, SearchQuery(text: "needle"), SearchPageRequest())
        let plan = try await db.asTenant(a) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds), logger: db.logger
            ).collect().map { try $0.decode(String.self) }.joined(separator: "\n")
        }
        // The index that leads with the tenant (migration 24): the other tenant's needles are not read.
        #expect(plan.contains("agent_messages_owner_search_idx"), "\(plan)")
        let page = try await Self.search(db, a, "needle", limit: 100)
        #expect(page.hits.count == 6)
        #expect(page.hits.allSatisfy { $0.agentID == agentA })
    }
}
