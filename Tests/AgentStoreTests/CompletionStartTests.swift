import AgentSecrets
import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// Migration 13: a chat completion starts in one statement outside a transaction block, its token checked
/// by it, and a start that is refused for any reason enters nothing.
@Suite struct CompletionStartTests {
    private static func completion(_ agent: AgentID) -> NewCompletion {
        NewCompletion(agentID: agent, promptTokens: 10, maximumTokens: 50, services: ["openai", "anthropic"])
    }

    private func start(_ f: TenantFixture, as claim: TenantClaim, agent: AgentID? = nil) async throws -> CompletionStart {
        try await f.db.store.beginCompletion(
            as: claim, Self.completion(agent ?? f.a.agent.id), limits: .unlimited, budget: ContextBudget(),
            opening: KeyOpening(purpose: .completion) { $0.first?.id }, requestID: "req-completion")
    }

    private func token(_ f: TenantFixture, scopes: Set<TokenScope> = TokenScope.all) async throws -> PresentedToken {
        let issued = try await f.db.store.withTenant(f.a.user) { try await $0.createToken(name: "completion", scopes: scopes) }
        return try #require(PresentedToken(issued.value))
    }

    /// Ledger rows of A's, as A sees them.
    private func calls(_ f: TenantFixture) async throws -> Int {
        try await f.count(as: f.a.user, "SELECT 1 FROM provider_calls")
    }

    @Test func aValidTokenStartsTheCallWithItsKeyAndNoTenantOutlivesIt() async throws {
        let f = try await TenantFixture.make()
        let start = try await start(f, as: .token(try await token(f), requiring: .write))
        #expect(start.agent.id == f.a.agent.id && start.maximumTokens == 50)
        #expect(start.firstKey?.secret.exposedValue == "sk-test-a-0123456789abcdef")
        #expect(try await calls(f) == 1)
        #expect(
            try await f.count(
                as: f.a.user, "SELECT 1 FROM audit_log WHERE action = 'connection.opened' AND request_id = 'req-completion'")
                == 1)
        // The pool's connections carry no tenant afterwards: a raw read without one sees nothing of A's.
        #expect(try await f.count(as: nil, "SELECT 1 FROM provider_calls") == 0)
    }

    @Test func anAuthenticatedTenantNeedsNoToken() async throws {
        let f = try await TenantFixture.make()
        let start = try await start(f, as: .tenant(f.a.user))
        #expect(start.call.rawValue.isEmpty == false)
        #expect(try await calls(f) == 1)
    }

    @Test func aTokenRefusedEntersNothing() async throws {
        let f = try await TenantFixture.make()
        let readOnly = try await token(f, scopes: [.read])
        await #expect(throws: StoreError.forbidden(needing: .write)) {
            try await start(f, as: .token(readOnly, requiring: .write))
        }
        // Revoked: not valid at all.
        try await f.db.store.withTenant(f.a.user) { session in
            for token in try await session.tokens(PageRequest(limit: 100, order: .ascending)).items {
                try await session.revokeToken(token.id)
            }
        }
        await #expect(throws: StoreError.unauthenticated) {
            try await start(f, as: .token(readOnly, requiring: .read))
        }
        #expect(try await calls(f) == 0)
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM audit_log WHERE action = 'connection.opened'") == 0)
    }

    @Test func anotherTenantsAgentIsNotFoundAndEntersNothing() async throws {
        let f = try await TenantFixture.make()
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await start(f, as: .tenant(f.a.user), agent: f.b.agent.id)
        }
        #expect(try await calls(f) == 0)
        #expect(try await f.count(as: f.b.user, "SELECT 1 FROM provider_calls") == 0)
    }

    @Test func anAgentWithoutAConnectionThatCanAnswerEntersNothing() async throws {
        let f = try await TenantFixture.make()
        try await f.db.store.withTenant(f.a.user) {
            try await $0.detachConnection(agentID: f.a.agent.id, connectionID: f.a.connection.id)
        }
        await #expect(
            throws: StoreError.invalid(
                field: .agentID, reason: "the agent has no linked connection whose service can answer (anthropic, openai)")
        ) { try await start(f, as: .tenant(f.a.user)) }
        #expect(try await calls(f) == 0)
    }

    @Test func aLimitReachedIsRefusedBeforeAnythingIsEntered() async throws {
        let f = try await TenantFixture.make()
        await #expect(throws: StoreError.self) {
            try await f.db.store.beginCompletion(
                as: .tenant(f.a.user), Self.completion(f.a.agent.id), limits: ChatLimits(monthlyTokenBudget: 10),
                budget: ContextBudget(), opening: nil, requestID: nil)
        }
        #expect(try await calls(f) == 0)
    }

    /// Migration 30: the agent's system prompt is reserved as the platform estimates any text, a character
    /// beyond ASCII a token of its own (four bytes a token reserved 8 for these 12 characters, not 10).
    @Test func theSystemPromptIsReservedAsAnyTextIsEstimated() async throws {
        let f = try await TenantFixture.make()
        let prompt = "你是一个有用的助手 ok"
        _ = try await f.db.store.withTenant(f.a.user) {
            try await $0.updateAgent(f.a.agent.id, AgentChanges(systemPrompt: prompt))
        }
        let start = try await start(f, as: .tenant(f.a.user))
        let reserved = try await f.db.store.withTenant(f.a.user) { session in
            try await session.providerCalls(PageRequest(limit: 10, order: .ascending)).items
        }
        #expect(reserved.map(\.id) == [start.call.rawValue])
        let held = try await f.count(
            as: f.a.user,
            "SELECT 1 FROM provider_calls WHERE reserved_tokens = \(10 + ContextBudget.estimatedTokens(prompt) + 50)")
        #expect(ContextBudget.estimatedTokens(prompt) == 10)
        #expect(held == 1)
    }

    @Test func insideAnotherTenantsTransactionItIsRefused() async throws {
        let f = try await TenantFixture.make()
        let state = await f.sqlState(as: f.b.user) { connection in
            _ = try await connection.query(
                """
                SELECT call_id FROM public.start_completion(
                  \(f.a.user.rawValue), NULL, NULL, \(f.a.agent.id.rawValue), 1, 1, 1, NULL, NULL, ARRAY['openai'], NULL, NULL)
                """, logger: f.db.logger
            ).collect()
        }
        #expect(state == PostgresError.Code.insufficientPrivilege.raw)
        #expect(try await calls(f) == 0)
    }
}
