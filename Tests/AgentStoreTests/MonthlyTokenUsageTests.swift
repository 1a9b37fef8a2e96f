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

    private func start(_ f: TenantFixture, budget: Int? = nil, prompt: Int = 10, maximum: Int = 100) async throws
        -> CompletionStart
    {
        try await f.db.store.beginCompletion(
            as: .tenant(f.a.user), Self.completion(f, prompt: prompt, maximum: maximum),
            limits: ChatLimits(monthlyTokenBudget: budget), budget: ContextBudget(), opening: nil, requestID: nil)
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
        let refusedByReservations = try await #require(throws: StoreError.self) { try await start(f, budget: 150) }
        guard case .limitExceeded(let byReservations) = refusedByReservations else {
            Issue.record("expected a limit, got \(refusedByReservations)")
            return
        }
        #expect(byReservations.limit == .monthlyTokenBudget)
        #expect(byReservations.retryAfterSeconds == 5)

        try await f.db.store.settleCall(running.call, of: f.a.user, Self.settlement(prompt: 50, completion: 50))
        let refusedBySpending = try await #require(throws: StoreError.self) { try await start(f, budget: 150) }
        guard case .limitExceeded(let bySpending) = refusedBySpending else {
            Issue.record("expected a limit, got \(refusedBySpending)")
            return
        }
        // Until the first of next month, UTC: more than 5 s, at most 31 days.
        #expect(bySpending.retryAfterSeconds > 5)
        #expect(bySpending.retryAfterSeconds <= 31 * 86_400)
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
