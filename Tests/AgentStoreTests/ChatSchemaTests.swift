import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// Migration 5 as the database sees it: the seed's inserts keep working, a tenant cannot raise its own
/// limits or rewrite its bill, and the store reserves budget before a call.
@Suite struct ChatSchemaTests {
    @Test func anInsertNamingOnlyTheSeedsColumnsStoresACompleteMessage() async throws {
        let f = try await TenantFixture.make()
        let status = try await f.db.asTenant(f.a.user) { connection in
            try await connection.query(
                """
                INSERT INTO agent_messages (agent_id, user_id, role, content, conversation_id)
                VALUES (\(f.a.agent.id.rawValue), \(f.a.user.rawValue), 'user', 'seed style', 'seed')
                RETURNING status, parent_id
                """, logger: f.db.logger
            ).collect().first?.decode((String, String?).self)
        }
        #expect(status?.0 == "complete" && status?.1 == nil)
    }

    /// An operator's command waits for a lock at most 10 s (one held from psql, say), then fails naming it,
    /// rather than hang.
    @Test func anOperatorsChangeWaitsForALockTenSecondsAtMost() async throws {
        let f = try await TenantFixture.make()
        let overrides = ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger)
        try await overrides.set(ChatLimits(monthlyTokenBudget: 10), for: f.a.user)
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await f.db.admin.withTransaction(logger: f.db.logger) { connection in
                try await connection.query(
                    "SELECT 1 FROM chat_limits WHERE user_id = \(f.a.user.rawValue) FOR UPDATE", logger: f.db.logger)
                holding.yield()
                for await _ in release { break }
            }
        }
        for await _ in held { break }
        let clock = ContinuousClock()
        let began = clock.now
        let error = await #expect(throws: PSQLError.self) {
            try await overrides.set(ChatLimits(monthlyTokenBudget: 20), for: f.a.user)
        }
        #expect(error?.serverInfo?[.sqlState] == PostgresError.Code.lockNotAvailable.raw)
        #expect(clock.now - began < .seconds(30))
        releasing.yield()
        try await holder.value
    }

    /// Two operators changing different limits of one tenant at once both keep their change: each change
    /// reads and writes in one transaction that holds the tenant's row.
    @Test func concurrentChangesOfOneTenantsLimitsAreBothKept() async throws {
        let f = try await TenantFixture.make()
        let overrides = ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger)
        for round in 1...5 {
            async let budget = overrides.change(for: f.a.user) { $0.monthlyTokenBudget = 1_000 * round }
            async let rate = overrides.change(for: f.a.user) { $0.requestsPerMinute = round }
            _ = try await (budget, rate)
            #expect(
                try await overrides.overrides(for: f.a.user)
                    == ChatLimits(monthlyTokenBudget: 1_000 * round, requestsPerMinute: round))
        }
        await #expect(throws: StoreError.notFound(resource: "user")) {
            try await overrides.change(for: UserID(rawValue: "no-such-user")!) { $0.requestsPerMinute = 1 }
        }
    }

    /// An override of unlimited is stored as its column's largest value (so that it outlives a lower
    /// default), and read as every other unlimited is: nil, never as a budget of nine quintillion tokens.
    @Test func anUnlimitedOverrideReadsAsNoLimit() async throws {
        let f = try await TenantFixture.make()
        let overrides = ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger)
        try await overrides.set(
            ChatLimits(
                monthlyTokenBudget: ChatLimits.unlimitedMonthlyTokenBudget,
                requestsPerMinute: ChatLimits.unlimitedRequestsPerMinute),
            for: f.a.user)
        let defaults = ChatLimits(monthlyTokenBudget: 1_000, requestsPerMinute: 5)
        let standing = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: defaults) }
        #expect(standing.limits == .unlimited)
        let other = try await f.db.store.withTenant(f.b.user) { try await $0.chatLimitStanding(defaults: defaults) }
        #expect(other.limits == defaults)
    }

    /// A change of a tenant's limits says what they were; one that changes nothing is neither written nor
    /// recorded; the tenant's own log has it, as the operator's, with what they were.
    @Test func aLimitsChangeRecordsWhatTheyWereAndNothingForNoChange() async throws {
        let f = try await TenantFixture.make()
        let overrides = ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger)
        let first = try await overrides.set(ChatLimits(monthlyTokenBudget: 500), for: f.a.user)
        #expect(first.before == ChatLimits() && first.after == ChatLimits(monthlyTokenBudget: 500) && first.isChange)
        let again = try await overrides.set(ChatLimits(monthlyTokenBudget: 500), for: f.a.user)
        #expect(!again.isChange)
        let unlimited = try await overrides.change(for: f.a.user) {
            $0.requestsPerMinute = ChatLimits.unlimitedRequestsPerMinute
        }
        let operatorEntries = try await f.db.admin.query(
            """
            SELECT details->>'requests_per_minute', details->'previous'->>'monthly_token_budget',
                   details->'previous'->'requests_per_minute' = 'null'::jsonb
              FROM audit_log
             WHERE tenant_id IS NULL AND action = 'limits.changed' AND target_id = \(f.a.user.rawValue) ORDER BY created_at, id
            """, logger: f.db.logger
        ).collect().map { try $0.decode((String?, String?, Bool).self) }
        #expect(operatorEntries.count == 2)
        #expect(operatorEntries.last?.0 == "unlimited" && operatorEntries.last?.1 == "500" && operatorEntries.last?.2 == true)

        for change in [first, again, unlimited] {
            try await f.db.store.withTenant(f.a.user) { try await $0.actingAsOperator().recordLimitsChange(change) }
        }
        let seen = try await f.db.store.withTenant(f.a.user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .limitsChanged).items
        }
        #expect(seen.map(\.actor) == [AuditEntry.operatorActor, AuditEntry.operatorActor])
        guard case .object(let details) = seen.first?.details, case .object(let previous) = details["previous"] else {
            Issue.record("no details: \(seen)")
            return
        }
        #expect(details["monthly_token_budget"] == .number(500) && details["requests_per_minute"] == .null)
        #expect(previous == ["monthly_token_budget": .null, "requests_per_minute": .null])
        let others = try await f.db.store.withTenant(f.b.user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .limitsChanged).items
        }
        #expect(others.isEmpty)
    }

    /// Migration 21: deleting an account keeps the operator's overrides and the month's token count, so a
    /// tenant that comes back under the same id (as JSON Web Tokens provision it again) finds both, where
    /// they cascaded away and the defaults applied.
    @Test func limitsAndTheMonthsCountOutliveTheAccount() async throws {
        let f = try await TenantFixture.make()
        let start = try await f.db.store.beginCompletion(
            as: .tenant(f.a.user),
            NewCompletion(agentID: f.a.agent.id, promptTokens: 10, maximumTokens: 100, services: ["openai"]),
            limits: .unlimited, budget: ContextBudget(), opening: nil, requestID: nil)
        try await f.db.store.settleCall(
            start.call, of: f.a.user,
            CallSettlement(
                status: .complete, connectionID: nil,
                usage: MessageUsage(promptTokens: 12, completionTokens: 30, estimated: false), latencyMilliseconds: 40,
                timeToFirstTokenMilliseconds: 4, error: nil))
        let overrides = ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger)
        let set = ChatLimits(monthlyTokenBudget: 1_000, requestsPerMinute: 0)
        try await overrides.set(set, for: f.a.user)

        _ = try await f.db.store.withTenant(f.a.user) { try await $0.deleteCurrentUser() }
        _ = try await f.db.store.withTenant(f.a.user) { try await $0.createCurrentUser(email: "back@example.com") }
        let standing = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: .unlimited) }
        #expect(standing.limits == set && standing.tokensThisMonth == 42)
        #expect(try await overrides.overrides(for: f.a.user) == set)
    }

    /// A call running when its account is deleted goes with it, unsettled: its reservation is counted in the
    /// month's tokens, and its settlement, finding nothing, counts nothing more. A settled call's deletion
    /// counts nothing: it was counted when settled.
    @Test func aCallRunningWhenItsAccountIsDeletedCountsItsReservation() async throws {
        let f = try await TenantFixture.make()
        let (running, reservation) = try await Self.oneSettledOneRunning(f)
        #expect(reservation >= 110)

        _ = try await f.db.store.withTenant(f.a.user) { try await $0.deleteCurrentUser() }
        try await f.db.store.settleCall(running.call, of: f.a.user, Self.settlement42)
        _ = try await f.db.store.withTenant(f.a.user) { try await $0.createCurrentUser(email: "back@example.com") }
        let standing = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: .unlimited) }
        #expect(standing.tokensThisMonth == 42 + reservation)
    }

    /// The standing tells what a running call holds from what was spent, and counts the minute's first
    /// attempts as the per-minute limit does: a retry on the next key is not another request.
    @Test func theStandingSeparatesReservationsFromSpentTokens() async throws {
        let f = try await TenantFixture.make()
        let (_, reservation) = try await Self.oneSettledOneRunning(f)
        try await f.db.admin.query(
            """
            INSERT INTO provider_calls (user_id, agent_id, model, attempt, status)
            VALUES (\(f.a.user.rawValue), \(f.a.agent.id.rawValue), 'm', 2, 'failed')
            """, logger: f.db.logger)

        let standing = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: .unlimited) }
        #expect(standing.tokensThisMonth == 42 + reservation)
        #expect(standing.tokensReserved == reservation)
        #expect(standing.requestsThisMinute == 2)
        let other = try await f.db.store.withTenant(f.b.user) { try await $0.chatLimitStanding(defaults: .unlimited) }
        #expect(other.tokensThisMonth == 0 && other.tokensReserved == 0 && other.requestsThisMinute == 0)
    }

    @Test func aTenantCannotChangeItsLimitsOrItsLedger() async throws {
        let f = try await TenantFixture.make()
        try await ChatLimitOverrides(admin: f.db.admin, logger: f.db.logger).set(
            ChatLimits(monthlyTokenBudget: 10), for: f.a.user)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("UPDATE chat_limits SET monthly_token_budget = NULL", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO chat_limits (user_id, monthly_token_budget) VALUES (\(f.a.user.rawValue), 1000000)",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("DELETE FROM provider_calls", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        // B sees neither A's limits nor any of A's calls.
        #expect(try await f.count(as: f.b.user, "SELECT 1 FROM chat_limits") == 0)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM chat_limits") == 1)
    }

    @Test func aReplyStartReservesItsTokensAndAnExhaustedBudgetRefusesTheNext() async throws {
        let f = try await TenantFixture.make()
        let limits = ChatLimits(monthlyTokenBudget: 5000)
        let start = try await f.db.store.withTenant(f.a.user) {
            try await $0.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "budget")!, NewReply(content: "hello"),
                limits: limits, budget: ContextBudget())
        }
        #expect(start.reply.status == .streaming && start.reply.parentID == start.prompt.id)
        #expect(start.maximumTokens == 4096)
        #expect(start.history.map(\.id) == [start.prompt.id])
        let standing = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: limits) }
        #expect(standing.tokensThisMonth > 4096)
        // The reservation is held: a second start would overspend.
        await #expect(throws: StoreError.self) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.beginReply(
                    agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "budget")!, NewReply(content: "again"),
                    limits: limits, budget: ContextBudget())
            }
        }
        // Settled at its real size, the budget frees up.
        _ = try await f.db.store.withTenant(f.a.user) {
            try await $0.settleReply(
                start.reply.id, call: start.call, .completed("hi", promptTokens: 10, completionTokens: 2))
        }
        let after = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: limits) }
        #expect(after.tokensThisMonth == 12)
    }

    // MARK: Calls

    /// A call that used 42 tokens.
    static let settlement42 = CallSettlement(
        status: .complete, connectionID: nil,
        usage: MessageUsage(promptTokens: 12, completionTokens: 30, estimated: false), latencyMilliseconds: 40,
        timeToFirstTokenMilliseconds: 4, error: nil)

    /// Two completions of tenant a's: one settled at 42 tokens, one still running; the running one and what
    /// it reserves.
    static func oneSettledOneRunning(_ f: TenantFixture) async throws -> (running: CompletionStart, reservation: Int) {
        func start() async throws -> CompletionStart {
            try await f.db.store.beginCompletion(
                as: .tenant(f.a.user),
                NewCompletion(agentID: f.a.agent.id, promptTokens: 10, maximumTokens: 100, services: ["openai"]),
                limits: .unlimited, budget: ContextBudget(), opening: nil, requestID: nil)
        }
        try await f.db.store.settleCall(try await start().call, of: f.a.user, settlement42)
        let running = try await start()
        let reserved = try await f.db.admin.query(
            "SELECT reserved_tokens FROM provider_calls WHERE id = \(running.call.rawValue)", logger: f.db.logger
        ).collect().first?.decode(Int.self)
        return (running, try #require(reserved))
    }
}
