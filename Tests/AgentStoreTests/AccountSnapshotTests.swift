import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// The account export's store side: one snapshot, read page by page, whose transaction always ends.
@Suite struct AccountSnapshotTests {
    /// Everything a snapshot held, by kind.
    struct Contents {
        var agents: [String] = []
        var messages: [String] = []
        var conversations: [String] = []
        var feedback = 0
        var calls: [String] = []
        var audit: [String] = []

        mutating func add(_ chunk: AccountExportChunk) {
            switch chunk {
            case .user, .connections, .links, .tokens: break
            case .agents(let items): agents += items.map(\.id.rawValue)
            case .conversation(let conversation): conversations.append(conversation.id.rawValue)
            case .messages(let items): messages += items.map(\.id.rawValue)
            case .feedback(let items): feedback += items.count
            case .providerCalls(let items): calls += items.map(\.id)
            case .auditLog(let items): audit += items.map(\.id)
            }
        }
    }

    /// One-row pages, so that the read is many statements long.
    static var onePerPage: AccountSnapshot.Limits {
        var limits = AccountSnapshot.Limits()
        limits.pageSize = 1
        limits.bufferedPages = 1
        return limits
    }

    /// Sessions of the test database inside a transaction, idling in it or running one of its statements:
    /// an export that did not end. (Counting the idle alone, a look taken while the reader ran a statement
    /// saw none, and a wait for none ended before the transaction did.)
    static func openTransactions(_ db: TestDatabase) async throws -> Int {
        try await db.admin.query(
            """
            SELECT count(*)::int FROM pg_stat_activity
             WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
               AND xact_start IS NOT NULL
            """, logger: db.logger
        ).collect().first!.decode(Int.self)
    }

    /// The open transactions once there are `expected` (or 5 s passed): a reader inside its transaction
    /// shows as idle in it between its statements, and a look taken as it runs one would miss it.
    static func openTransactions(_ db: TestDatabase, becoming expected: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(5)
        var open = try await openTransactions(db)
        while open != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            open = try await openTransactions(db)
        }
        return open
    }

    /// Waits up to twenty seconds for every transaction to end: the connections' ends come back to a loaded
    /// 2-core machine late, but they come back.
    static func expectAllTransactionsEnd(_ db: TestDatabase) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await openTransactions(db) > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await openTransactions(db) == 0)
    }

    /// A new database with one tenant of ten agents: ten one-row pages to read.
    static func tenantWithTenAgents() async throws -> (TestDatabase, UserID) {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        try await db.store.withTenant(user) { session in
            for index in 0..<10 { _ = try await session.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p")) }
        }
        return (db, user)
    }

    @Test func rowsCommittedDuringTheExportAreNotInIt() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let conversation = ConversationID(rawValue: "conv")!
        let agents = try await db.store.withTenant(user) { session in
            var agents: [Agent] = []
            for index in 0..<4 {
                let agent = try await session.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p"))
                for turn in 0..<3 {
                    _ = try await session.appendMessage(
                        agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "m\(turn)"))
                }
                agents.append(agent)
            }
            return agents
        }
        let before = try await db.store.withTenant(user) { session in
            (
                agents: try await session.agents(PageRequest(limit: 100, order: .ascending)).items.map(\.id.rawValue),
                audit: try await session.auditLog(PageRequest(limit: 100, order: .ascending)).items.map(\.id)
            )
        }

        var rows = db.store.accountSnapshot(user, limits: Self.onePerPage).makeAsyncIterator()
        var contents = Contents()
        guard case .user(let exported) = try await rows.next() else {
            Issue.record("the user comes first")
            return
        }
        #expect(exported.id == user)
        // The snapshot is taken: commit a new agent, a message in an exported conversation, and an agent's
        // deletion (with its messages), all of which a page read later would otherwise see.
        try await db.store.withTenant(user) { session in
            _ = try await session.createAgent(NewAgent(name: "late", systemPrompt: "p"))
            _ = try await session.appendMessage(
                agentID: agents[3].id, conversationID: conversation, NewMessage(role: .user, content: "late"))
            try await session.deleteAgent(agents[2].id)
        }
        while let chunk = try await rows.next() { contents.add(chunk) }

        #expect(contents.agents == before.agents)
        #expect(contents.conversations.count == 4)
        #expect(contents.messages.count == 12)
        #expect(contents.audit == before.audit)
        try await Self.expectAllTransactionsEnd(db)
    }

    /// The export carries the call ledger, oldest call first, page after page: the bill, call by call,
    /// including what no stored reply shows (a completion outside a conversation, a failed fallback). Only
    /// the tenant's own, as the listing has it.
    @Test func theLedgerIsExportedCallByCall() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let other = try await db.makeUser()
        for (owner, attempt) in [(user, 1), (user, 2), (other, 1), (user, 1)] {
            _ = try await db.admin.query(
                """
                INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, prompt_tokens, completion_tokens, error)
                VALUES (\(owner.rawValue), 'agent', 'm', \(attempt), 'failed', 7, 0, 'provider-error')
                """, logger: db.logger
            ).collect()
        }
        let listed = try await db.store.withTenant(user) {
            try await $0.providerCalls(PageRequest(limit: 100, order: .ascending)).items
        }
        #expect(listed.map(\.attempt) == [1, 2, 1])
        #expect(listed.allSatisfy { $0.status == .failed && $0.promptTokens == 7 && $0.error == "provider-error" })
        var contents = Contents()
        for try await chunk in db.store.accountSnapshot(user, limits: Self.onePerPage) { contents.add(chunk) }
        #expect(contents.calls == listed.map(\.id))
        await db.drop()
    }

    @Test func aDroppedIteratorEndsTheTransaction() async throws {
        let (db, user) = try await Self.tenantWithTenAgents()
        do {
            var rows = db.store.accountSnapshot(user, limits: Self.onePerPage).makeAsyncIterator()
            _ = try await rows.next()
            _ = try await rows.next()
            // The reader is now blocked on a full buffer, inside its transaction.
            #expect(try await Self.openTransactions(db, becoming: 1) == 1)
            withExtendedLifetime(rows) {}
        }
        try await Self.expectAllTransactionsEnd(db)
    }

    @Test func aConsumerThatStopsReadingTimesTheTransactionOut() async throws {
        let (db, user) = try await Self.tenantWithTenAgents()
        var limits = Self.onePerPage
        // 1 s, not less: the server's own idle limit is twice it, and a loaded machine can leave a reader
        // that is still working idle for some hundred milliseconds between two statements.
        limits.readerTimeout = .seconds(1)
        var rows = db.store.accountSnapshot(user, limits: limits).makeAsyncIterator()
        _ = try await rows.next()
        let paused = ContinuousClock.now
        // The reader's transaction stays open while its consumer does not read, until the timeout (polled:
        // a single look after a fixed pause could come while the reader was still between statements).
        var open = 0
        while open != 1, ContinuousClock.now - paused < limits.readerTimeout / 2 {
            open = try await Self.openTransactions(db)
            if open != 1 { try await Task.sleep(for: .milliseconds(20)) }
        }
        // A machine that held this task back past half the reader's timeout may have seen it end already.
        if ContinuousClock.now - paused < limits.readerTimeout / 2 { #expect(open == 1) }
        try await Self.expectAllTransactionsEnd(db)
        // The buffered pages come, then the reader's timeout.
        await #expect(throws: StoreError.self) {
            while try await rows.next() != nil {}
        }
    }

    /// A consumer that takes in a page slowly but steadily (a large page written to a slow client) and says
    /// so keeps the read going past the reader's timeout, and past the server's idle limit (twice it): the
    /// read keeps its session alive meanwhile. The export then reads to its end.
    @Test func aConsumerThatReportsProgressKeepsTheReadGoing() async throws {
        let (db, user) = try await Self.tenantWithTenAgents()
        var limits = Self.onePerPage
        // 3 s: the keep-alive goes out every 1.5 s and the server ends a session idle for 6 s, so a machine
        // may hold the read's task 4.5 s without failing it. (With 2 s, the whole suite on a slow 2-core
        // machine once held it past the 3 s that left, and the server ended the session.)
        limits.readerTimeout = .seconds(3)
        var rows = db.store.accountSnapshot(user, limits: limits).makeAsyncIterator()
        var contents = Contents()
        for _ in 0..<2 { contents.add(try #require(try await rows.next())) }
        // Nine seconds on one page, reporting progress every 100 ms: three reader timeouts, past the server's
        // idle limit (twice the timeout). (A loaded machine once held this task a second at a time, with
        // the keep-alive at each whole timeout: the server's limit of 2 s ended the session.)
        for _ in 0..<90 {
            try await Task.sleep(for: .milliseconds(100))
            rows.progressed()
        }
        #expect(try await Self.openTransactions(db, becoming: 1) == 1)
        while let chunk = try await rows.next() { contents.add(chunk) }
        #expect(contents.agents.count == 10)
        try await Self.expectAllTransactionsEnd(db)
    }

    @Test func aTokenNotValidReadsNothing() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { try await $0.createToken(name: "t") }
        let forged = try #require(PresentedToken(String(issued.value.dropLast(4)) + "AAAA"))
        var rows = db.store.accountSnapshot(presenting: forged).makeAsyncIterator()
        await #expect(throws: StoreError.unauthenticated) { _ = try await rows.next() }
        do {
            var valid = db.store.accountSnapshot(presenting: try #require(PresentedToken(issued.value))).makeAsyncIterator()
            guard case .user(let exported) = try await valid.next() else {
                Issue.record("the user comes first")
                return
            }
            #expect(exported.id == user)
            // Read to its end, so that its transaction has ended by design, not by the reader's timeout.
            while try await valid.next() != nil {}
        }
        try await Self.expectAllTransactionsEnd(db)
    }
}
