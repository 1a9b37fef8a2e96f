import AgentSecrets
import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// Migration 12: a provider call starts and settles in one statement each, and neither reaches past its
/// tenant, with the tenant set or not.
@Suite struct CallStatementTests {
    private static let settled = CallSettlement(
        status: .complete, connectionID: nil, usage: MessageUsage(promptTokens: 7, completionTokens: 3, estimated: false),
        latencyMilliseconds: 40, timeToFirstTokenMilliseconds: 4, error: nil)

    private func startCompletion(_ f: TenantFixture, opening: KeyOpening?) async throws -> CompletionStart {
        try await f.db.store.withTenant(f.a.user, requestID: "req-start") {
            try await $0.beginCompletion(
                NewCompletion(agentID: f.a.agent.id, promptTokens: 10, maximumTokens: 100, services: ["openai", "anthropic"]),
                limits: ChatLimits(monthlyTokenBudget: 1_000_000), budget: ContextBudget(), opening: opening)
        }
    }

    /// A reply of A's agent to "hello" in `conversation`, started without limits.
    private func startReply(_ f: TenantFixture, in conversation: String) async throws -> ReplyStart {
        try await f.db.store.withTenant(f.a.user) {
            try await $0.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: conversation)!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
        }
    }

    /// The call's ledger row as `tenant` sees it: status, reserved tokens, prompt and completion tokens.
    private func ledgerRow(_ f: TenantFixture, _ call: ProviderCallID, as tenant: UserID) async throws -> (String, Int, Int, Int)?
    {
        try await f.db.asTenant(tenant) { connection in
            try await connection.query(
                """
                SELECT status, reserved_tokens, prompt_tokens, completion_tokens FROM provider_calls WHERE id = \(call.rawValue)
                """, logger: f.db.logger
            ).collect().first?.decode((String, Int, Int, Int).self)
        }
    }

    @Test func theStartOpensTheChosenKeyAndAuditsTheOpening() async throws {
        let f = try await TenantFixture.make()
        let start = try await startCompletion(f, opening: KeyOpening(purpose: .completion) { $0.first?.id })
        let key = try #require(start.firstKey)
        #expect(key.connectionID == f.a.connection.id)
        #expect(key.secret.exposedValue == "sk-test-a-0123456789abcdef")
        #expect(try await ledgerRow(f, start.call, as: f.a.user)?.0 == "running")
        let openings = try await f.db.asTenant(f.a.user) { connection in
            try await connection.query(
                """
                SELECT target_id, request_id, details->>'purpose' FROM audit_log WHERE action = 'connection.opened'
                """, logger: f.db.logger
            ).collect().map { try $0.decode((String, String?, String).self) }
        }
        #expect(openings.count == 1)
        #expect(openings.first?.0 == f.a.connection.id.rawValue)
        #expect(openings.first?.1 == "req-start" && openings.first?.2 == "completion")
    }

    @Test func withoutAnOpeningNoKeyIsReadOrAudited() async throws {
        let f = try await TenantFixture.make()
        let completion = try await startCompletion(f, opening: nil)
        #expect(completion.firstKey == nil)
        // A reply's start opens the key its opening chooses, and none when it chooses none.
        let reply = try await f.db.store.withTenant(f.a.user) {
            try await $0.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "c-none")!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget(), opening: KeyOpening(purpose: .reply) { _ in nil })
        }
        #expect(reply.firstKey == nil)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM audit_log WHERE action = 'connection.opened'") == 0)
    }

    /// A completion's statement opens the first linked connection that can answer; a start whose opening
    /// chooses another (one the process would not call) keeps no key, and the generation opens its own.
    @Test func aCompletionKeepsTheStatementsKeyOnlyWhenTheOpeningChoosesIt() async throws {
        let f = try await TenantFixture.make()
        let unchosen = try await startCompletion(f, opening: KeyOpening(purpose: .completion) { _ in nil })
        #expect(unchosen.firstKey == nil)
        let chosen = try await startCompletion(f, opening: KeyOpening(purpose: .completion) { $0.first?.id })
        #expect(chosen.firstKey?.connectionID == f.a.connection.id)
    }

    @Test func aSettlementAloneIsStoredAndItsTenantEndsWithIt() async throws {
        let f = try await TenantFixture.make()
        let start = try await startCompletion(f, opening: nil)
        try await f.db.store.settleCall(start.call, of: f.a.user, Self.settled)
        let row = try #require(try await ledgerRow(f, start.call, as: f.a.user))
        #expect(row == ("complete", 0, 7, 3))
        // Outside a transaction block, the tenant the statement set is gone with the statement.
        let tenantAfter = try await f.db.runtime.withConnection { connection in
            _ = try await connection.query(
                "SELECT public.settle_provider_call(\(f.a.user.rawValue), \(start.call.rawValue), 'complete', NULL, 1, 1, false, 1, 1, NULL)",
                logger: f.db.logger
            ).collect()
            return try await connection.query("SELECT current_setting('app.current_user_id', true)", logger: f.db.logger)
                .collect().first?.decode(String?.self)
        }
        #expect((tenantAfter ?? nil).map(\.isEmpty) ?? true)
    }

    /// A retry enters the next attempt under the id the generation chose, so that an attempt whose statement
    /// went unanswered can still be settled by it; an id never entered settles nothing.
    @Test func aRetryEntersTheNextAttemptUnderTheChosenID() async throws {
        let f = try await TenantFixture.make()
        let start = try await startReply(f, in: "c-retry")
        let failed = CallSettlement(
            status: .failed, connectionID: f.a.connection.id,
            usage: MessageUsage(promptTokens: 0, completionTokens: 0, estimated: false), latencyMilliseconds: 5,
            timeToFirstTokenMilliseconds: nil, error: "provider-unavailable")
        let next = ProviderCallID.make()
        try await f.db.store.withTenant(f.a.user) { try await $0.retryCall(start.call, failed, as: next) }
        let first = try #require(try await ledgerRow(f, start.call, as: f.a.user))
        let entered = try #require(try await ledgerRow(f, next, as: f.a.user))
        #expect(first.0 == "failed" && first.1 == 0)
        #expect(entered.0 == "running" && entered.1 > 0)
        try await f.db.store.settleCall(next, of: f.a.user, failed)
        #expect(try await ledgerRow(f, next, as: f.a.user)?.1 == 0)
        try await f.db.store.settleCall(ProviderCallID.make(), of: f.a.user, failed)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM provider_calls") == 2)
        // Another tenant cannot retry the call.
        await #expect(throws: StoreError.self) {
            try await f.db.store.withTenant(f.b.user) { try await $0.retryCall(next, failed, as: .make()) }
        }
    }

    /// A retry reserves again: its next attempt takes over the reservation only while the monthly budget has
    /// room for it beside what the failed attempt was charged, and a refusal changes nothing. Without the
    /// check, replies whose attempts time out after sending each spent their prompt past the budget.
    @Test func aRetryIsRefusedWhenTheFailedAttemptsChargeLeavesNoRoom() async throws {
        let f = try await TenantFixture.make()
        let start = try await startReply(f, in: "c-budget")
        let reserved = try #require(try await ledgerRow(f, start.call, as: f.a.user)).1
        let charged = CallSettlement(
            status: .failed, connectionID: f.a.connection.id,
            usage: MessageUsage(promptTokens: 100, completionTokens: 0, estimated: true), latencyMilliseconds: 5,
            timeToFirstTokenMilliseconds: nil, error: "provider-unreachable")
        let next = ProviderCallID.make()
        await #expect(throws: StoreError.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: nil))) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.retryCall(start.call, charged, as: next, limits: ChatLimits(monthlyTokenBudget: reserved + 50))
            }
        }
        #expect(try await ledgerRow(f, start.call, as: f.a.user)?.0 == "running")
        #expect(try await ledgerRow(f, next, as: f.a.user) == nil)
        // With room for both, the next attempt is entered with the whole reservation.
        try await f.db.store.withTenant(f.a.user) {
            try await $0.retryCall(start.call, charged, as: next, limits: ChatLimits(monthlyTokenBudget: reserved + 100))
        }
        #expect(try await ledgerRow(f, start.call, as: f.a.user).map { $0.0 == "failed" && $0.2 == 100 } == true)
        #expect(try await ledgerRow(f, next, as: f.a.user).map { $0.0 == "running" && $0.1 == reserved } == true)
        // A call settled already is not retried again.
        await #expect(throws: StoreError.notFound(resource: "provider call")) {
            try await f.db.store.withTenant(f.a.user) { try await $0.retryCall(start.call, charged, as: .make()) }
        }
    }

    @Test func aSettlementCannotReachAnotherTenantsCall() async throws {
        let f = try await TenantFixture.make()
        let start = try await startCompletion(f, opening: nil)
        // B naming itself matches none of A's rows.
        try await f.db.store.settleCall(start.call, of: f.b.user, Self.settled)
        #expect(try await ledgerRow(f, start.call, as: f.a.user)?.0 == "running")
        // In a transaction of B, naming A is refused rather than switching tenants.
        let state = await f.sqlState(as: f.b.user) { connection in
            _ = try await connection.query(
                "SELECT public.settle_provider_call(\(f.a.user.rawValue), \(start.call.rawValue), 'complete', NULL, 1, 1, false, 1, 1, NULL)",
                logger: f.db.logger
            ).collect()
        }
        #expect(state == PostgresError.Code.insufficientPrivilege.raw)
        #expect(try await ledgerRow(f, start.call, as: f.a.user)?.0 == "running")
    }

    @Test func aReplySettlesAloneWithItsMessageAndNotAsAnotherTenant() async throws {
        let f = try await TenantFixture.make()
        let start = try await startReply(f, in: "settle")
        let ending = ReplySettlement(content: "hi there", finishReason: "stop", call: Self.settled)
        await #expect(throws: StoreError.notFound(resource: "message")) {
            try await f.db.store.settleReply(start.reply.id, call: start.call, of: f.b.user, ending)
        }
        #expect(try await ledgerRow(f, start.call, as: f.a.user)?.0 == "running")
        let stored = try await f.db.store.settleReply(start.reply.id, call: start.call, of: f.a.user, ending)
        #expect(stored.id == start.reply.id && stored.status == .complete && stored.content == "hi there")
        #expect(stored.generation?.finishReason == "stop" && stored.generation?.usage?.completionTokens == 3)
        #expect(try await ledgerRow(f, start.call, as: f.a.user).map { $0 == ("complete", 0, 7, 3) } == true)
    }

    @Test func aReplyDeletedWhileItRanStillHasItsCallSettled() async throws {
        let f = try await TenantFixture.make()
        let start = try await startReply(f, in: "gone")
        _ = try await f.db.store.withTenant(f.a.user) {
            try await $0.deleteConversation(agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "gone")!)
        }
        await #expect(throws: StoreError.notFound(resource: "message")) {
            try await f.db.store.settleReply(
                start.reply.id, call: start.call, of: f.a.user,
                ReplySettlement(content: "late", finishReason: "stop", call: Self.settled))
        }
        #expect(try await ledgerRow(f, start.call, as: f.a.user).map { $0 == ("complete", 0, 7, 3) } == true)
    }

    @Test func withoutATenantNoCallStartsAndNoKeyIsRead() async throws {
        let f = try await TenantFixture.make()
        let rows = try await f.count(
            as: nil,
            """
            SELECT * FROM public.start_provider_call(\(f.a.agent.id.rawValue), NULL, 'm', 1, 10, NULL, NULL,
                                                     \(f.a.connection.id.rawValue), 'completion', NULL)
            """)
        #expect(rows == 0)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM provider_calls") == 0)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM audit_log WHERE action = 'connection.opened'") == 0)
    }
}
