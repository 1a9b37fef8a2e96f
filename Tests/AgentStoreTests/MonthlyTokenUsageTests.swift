import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// Migration 14: a tenant's monthly token budget is checked against a counter of its settled calls that
/// the ledger keeps, plus the reservations of its running calls, not against a sum of the month's calls.
@Suite struct MonthlyTokenUsageTests {
    private static func completion(_ f: TenantFixture, prompt: Int = 10, maximum: Int = 100) -> NewCompletion {
        NewCompletion(agentID: f.a.agent.id, promptTokens: prompt, maximumTokens: maximum, services: ["openai", "anthropic"])
    }

    private static func settlement(prompt: Int, completion: Int) -> CallSettlement {
        CallSettlement(
            status: .complete, connectionID: nil,
            usage: MessageUsage(promptTokens: prompt, completionTokens: completion, estimated: false), latencyMilliseconds: 40,
            timeToFirstTokenMilliseconds: 4, error: nil)
    }

    private func start(
        _ f: TenantFixture, budget: Int? = nil, perMinute: Int? = nil, prompt: Int = 10, maximum: Int = 100
    ) async throws -> CompletionStart {
        try await f.db.store.beginCompletion(
            as: .tenant(f.a.user), Self.completion(f, prompt: prompt, maximum: maximum),
            limits: ChatLimits(monthlyTokenBudget: budget, requestsPerMinute: perMinute), budget: ContextBudget(),
            opening: nil, requestID: nil)
    }

    /// The limit that refused a start, which must have been refused.
    private func refusal(_ start: () async throws -> CompletionStart) async throws -> LimitExceeded {
        let refused = try await #require(throws: StoreError.self) { try await start() }
        guard case .limitExceeded(let exceeded) = refused else {
            Issue.record("expected a limit, got \(refused)")
            throw refused
        }
        return exceeded
    }

    /// The counters of `tenant`, as its own tenant sees them: month (as text) to tokens.
    private func counters(_ f: TenantFixture, of tenant: UserID) async throws -> [String: Int] {
        try await f.db.asTenant(tenant) { connection in
            var counted: [String: Int] = [:]
            for try await (month, tokens) in try await connection.query(
                "SELECT month::text, tokens FROM monthly_token_usage", logger: f.db.logger
            ).decode((String, Int).self) {
                counted[month] = tokens
            }
            return counted
        }
    }

    /// What the ledger says the settled calls of each month of `tenant` used, read as the administrator.
    private func ledgerSums(_ f: TenantFixture, of tenant: UserID) async throws -> [String: Int] {
        var sums: [String: Int] = [:]
        for try await (month, tokens) in try await f.db.admin.query(
            """
            SELECT date_trunc('month', started_at AT TIME ZONE 'UTC')::date::text,
                   sum(prompt_tokens::bigint + completion_tokens + reserved_tokens)::bigint
              FROM provider_calls WHERE user_id = \(tenant.rawValue) AND status <> 'running' GROUP BY 1
            """, logger: f.db.logger
        ).decode((String, Int).self) {
            sums[month] = tokens
        }
        return sums
    }

    @Test func aSettlementAddsItsUsageAndAStartNothing() async throws {
        let f = try await TenantFixture.make()
        let first = try await start(f)
        let second = try await start(f, prompt: 20, maximum: 50)
        #expect(try await counters(f, of: f.a.user).isEmpty)

        try await f.db.store.settleCall(first.call, of: f.a.user, Self.settlement(prompt: 12, completion: 30))
        #expect(try await counters(f, of: f.a.user).values.first == 42)
        try await f.db.store.settleCall(second.call, of: f.a.user, Self.settlement(prompt: 25, completion: 5))
        #expect(try await counters(f, of: f.a.user).values.first == 42 + 30)
        #expect(try await counters(f, of: f.a.user) == ledgerSums(f, of: f.a.user))
        #expect(try await counters(f, of: f.b.user).isEmpty)
    }

    @Test func theBudgetCountsSettledUsageAndRunningReservations() async throws {
        let f = try await TenantFixture.make()
        // 110 reserved of 250: a second start of 110 fits, a third does not.
        let first = try await start(f, budget: 250)
        _ = try await start(f, budget: 250)
        await #expect(throws: StoreError.self) { try await start(f, budget: 250) }
        // The first call used less than it reserved: the rest is free again.
        try await f.db.store.settleCall(first.call, of: f.a.user, Self.settlement(prompt: 10, completion: 5))
        _ = try await start(f, budget: 250)
        await #expect(throws: StoreError.self) { try await start(f, budget: 250) }
        #expect(try await counters(f, of: f.a.user).values.first == 15)
    }

    /// Migration 18: a refusal that only running calls' reservations cause says to retry in seconds, when
    /// they will have settled; one that the month's settled usage causes, at the next month.
    @Test func theRetryAfterOfABudgetRefusalSaysWhenRoomComesBack() async throws {
        let f = try await TenantFixture.make()
        let running = try await start(f, budget: 150)
        let byReservations = try await refusal { try await start(f, budget: 150) }
        #expect(byReservations.limit == .monthlyTokenBudget)
        #expect(byReservations.retryAfterSeconds == 5)

        try await f.db.store.settleCall(running.call, of: f.a.user, Self.settlement(prompt: 50, completion: 50))
        let bySpending = try #require(try await refusal { try await start(f, budget: 150) }.retryAfterSeconds)
        // Until the first of next month, UTC: more than 5 s, at most 31 days.
        #expect(bySpending > 5)
        #expect(bySpending <= 31 * 86_400)
    }

    /// Migration 19: a call that alone reserves more than the whole budget fits in no month, and a
    /// per-minute limit of 0 lets nothing through: neither says to wait.
    @Test func aRefusalNoWaitLiftsSaysNoWait() async throws {
        let f = try await TenantFixture.make()
        // 10 of prompt, 3 of system prompt and 100 of max_tokens: 113 reserved, against budgets of 112 and 0,
        // nothing spent.
        let tooLarge = try await refusal { try await start(f, budget: 112) }
        #expect(tooLarge.limit == .monthlyTokenBudget)
        #expect(tooLarge.retryAfterSeconds == nil)
        #expect(try await refusal { try await start(f, budget: 0) }.retryAfterSeconds == nil)
        let none = try await refusal { try await start(f, perMinute: 0) }
        #expect(none.limit == .requestsPerMinute)
        #expect(none.retryAfterSeconds == nil)
        // The same reservation fits a budget of 113.
        _ = try await start(f, budget: 113)
    }

    /// A completion reserves the client's prompt, the agent's system prompt (a token per 4 bytes, rounded
    /// up) and `max_tokens`. Migration 18 wrote the sum so that PostgreSQL divided the client's prompt by
    /// 4 as well (`OPERATOR(pg_catalog.+)` and `OPERATOR(pg_catalog./)` bind alike, left to right);
    /// migration 19 puts the parentheses where the sum needs them.
    @Test func aCompletionReservesItsPromptTheSystemPromptAndMaxTokens() async throws {
        let f = try await TenantFixture.make()
        #expect(ContextBudget.estimatedTokens(f.a.agent.systemPrompt) == 3)
        let started = try await start(f, prompt: 400, maximum: 100)
        let reserved = try await f.db.admin.query(
            "SELECT reserved_tokens FROM provider_calls WHERE id = \(started.call.rawValue)", logger: f.db.logger
        ).collect().first?.decode(Int.self)
        #expect(reserved == 400 + 3 + 100)
    }

    /// Migration 19: under a per-minute limit lowered below the last minute's calls, one more fits only
    /// when all but limit - 1 of them have aged out, not when the oldest has.
    @Test func aLoweredPerMinuteLimitSaysWhenEnoughCallsHaveAgedOut() async throws {
        let f = try await TenantFixture.make()
        // The waits shorten as the test runs (by seconds on a loaded machine): each is checked against the
        // time passed since the first insert.
        let clock = ContinuousClock()
        let inserting = clock.now
        func passed() -> Int { Int((clock.now - inserting).components.seconds) + 1 }
        // Four calls of the last minute, started 35, 30, 20 and 10 s ago.
        for secondsAgo in [35, 30, 20, 10] {
            try await f.db.admin.query(
                """
                INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, started_at)
                VALUES (\(f.a.user.rawValue), \(f.a.agent.id.rawValue), 'm', 1, 'complete',
                        clock_timestamp() - make_interval(secs => \(secondsAgo)))
                """, logger: f.db.logger)
        }
        // A limit of 2: the calls of 35 and 30 s ago hold no room, that of 20 s ago must age out too (in 40 s).
        let lowered = try await refusal { try await start(f, perMinute: 2) }
        #expect(lowered.limit == .requestsPerMinute)
        let wait = try #require(lowered.retryAfterSeconds)
        #expect((39 - passed()...41).contains(wait), "retry after \(wait) s")
        // At the limit it was (4), the oldest's minute is the wait: 25 s.
        let atLimit = try #require(try await refusal { try await start(f, perMinute: 4) }.retryAfterSeconds)
        #expect((max(1, 24 - passed())...26).contains(atLimit), "retry after \(atLimit) s")
    }

    @Test func callsOfAnEarlierMonthDoNotCount() async throws {
        let f = try await TenantFixture.make()
        try await f.db.admin.query(
            """
            INSERT INTO provider_calls (user_id, agent_id, model, attempt, prompt_tokens, completion_tokens, status, started_at)
            VALUES (\(f.a.user.rawValue), \(f.a.agent.id.rawValue), 'm', 1, 900, 100, 'complete', now() - interval '40 days')
            """, logger: f.db.logger)
        #expect(try await counters(f, of: f.a.user).values.first == 1000)
        // A budget of 200 this month still has room for a start of 110.
        let call = try await start(f, budget: 200)
        try await f.db.store.settleCall(call.call, of: f.a.user, Self.settlement(prompt: 10, completion: 10))
        #expect(try await counters(f, of: f.a.user) == ledgerSums(f, of: f.a.user))
        #expect(try await counters(f, of: f.a.user).count == 2)
    }

    @Test func theMigrationCountsTheLedgerThatWasThere() async throws {
        let f = try await TenantFixture.make()
        _ = try await start(f)
        let settled = try await start(f, prompt: 30, maximum: 70)
        try await f.db.store.settleCall(settled.call, of: f.a.user, Self.settlement(prompt: 31, completion: 9))
        let migrator = Migrator(client: f.db.admin, logger: f.db.logger)
        try await migrator.down(to: 13)
        try await migrator.up()
        #expect(try await counters(f, of: f.a.user) == ledgerSums(f, of: f.a.user))
        #expect(try await counters(f, of: f.a.user).values.first == 40)
    }

    /// Migration 19 counts the counters again from the ledger: one that migration 14 left short (a call
    /// settled while it counted, or a migrator that row-level security filtered) is right afterwards.
    @Test func migration19CountsTheCountersAgain() async throws {
        let f = try await TenantFixture.make()
        let settled = try await start(f, prompt: 30, maximum: 70)
        try await f.db.store.settleCall(settled.call, of: f.a.user, Self.settlement(prompt: 31, completion: 9))
        try await f.db.admin.query("UPDATE monthly_token_usage SET tokens = 0", logger: f.db.logger)
        let migrator = Migrator(client: f.db.admin, logger: f.db.logger)
        try await migrator.down(to: 18)
        try await migrator.up()
        #expect(try await counters(f, of: f.a.user) == ledgerSums(f, of: f.a.user))
        #expect(try await counters(f, of: f.a.user).values.first == 40)
    }

    @Test func newIdsAreComputedInline() async throws {
        let f = try await TenantFixture.make()
        let plan = try await f.db.admin.query("EXPLAIN VERBOSE SELECT public.new_time_ordered_id()", logger: f.db.logger)
            .collect().map { try $0.decode(String.self) }.joined(separator: "\n")
        #expect(plan.contains("gen_random_uuid()"))
        #expect(!plan.contains("new_time_ordered_id"))
        // Its names were resolved when it was created: a search path that shadows them changes nothing.
        let id = try await f.db.admin.withConnection { connection in
            try await connection.query("SET search_path = pg_temp, public", logger: f.db.logger)
            return try await connection.query("SELECT public.new_time_ordered_id()", logger: f.db.logger)
                .collect().first?.decode(String.self)
        }
        #expect(id?.count == 36)
    }
}
