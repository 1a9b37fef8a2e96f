import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// A transaction for a tenant its caller authenticated sets the tenant with its first statement: the
/// first page of agents through `tenant_agents_page` (migration 16), any other statement after a
/// `SET LOCAL` sent with it. Whichever comes first, the rest of the transaction runs as that tenant.
@Suite struct DeferredTenantTests {
    @Test func firstAgentsPageSetsTheTenantForTheRest() async throws {
        let fixture = try await TenantFixture.make()
        let (listed, ownAgent) = try await fixture.db.store.withTenant(fixture.a.user) { session in
            let listed = try await session.agents(PageRequest(limit: 10, order: .descending))
            await #expect(throws: StoreError.notFound(resource: "agent")) { try await session.agent(fixture.b.agent.id) }
            return (listed, try await session.agent(fixture.a.agent.id))
        }
        #expect(listed.items.map(\.id) == [fixture.a.agent.id])
        #expect(ownAgent.id == fixture.a.agent.id)
    }

    @Test func firstConversationPageSetsTheTenantForTheRest() async throws {
        let fixture = try await TenantFixture.make()
        let c1 = ConversationID(rawValue: "c1")!
        let page = try await fixture.db.store.withTenant(fixture.a.user) { session in
            let page = try await session.messages(
                agentID: fixture.a.agent.id, conversationID: c1, PageRequest(limit: 10, order: .ascending))
            await #expect(throws: StoreError.notFound(resource: "agent")) { try await session.agent(fixture.b.agent.id) }
            return page
        }
        #expect(page.items.map(\.id) == [fixture.a.message.id])
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await fixture.db.store.withTenant(fixture.a.user) {
                try await $0.messages(agentID: fixture.b.agent.id, conversationID: c1, PageRequest(limit: 10, order: .ascending))
            }
        }
        await #expect(throws: StoreError.notFound(resource: "conversation")) {
            try await fixture.db.store.withTenant(fixture.a.user) {
                try await $0.messages(
                    agentID: fixture.a.agent.id, conversationID: ConversationID(rawValue: "c2")!,
                    PageRequest(limit: 10, order: .ascending))
            }
        }
    }

    /// The function's page is the prepared page's, cut short by content bytes included: read first with a
    /// personal token (the plain page) and as an authenticated tenant (the function), six messages of a
    /// million bytes give the same five, with more to come.
    @Test func conversationPageFunctionReadsAsThePreparedPage() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let conversation = ConversationID(rawValue: "long")!
        let (agent, issued) = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            for index in 0..<6 {
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation,
                    NewMessage(role: .user, content: String(repeating: "\(index)", count: 1_000_000)))
            }
            return (agent, try await session.createToken(name: "t"))
        }
        let token = try #require(PresentedToken(issued.value))
        let request = PageRequest(limit: 10, order: .ascending)
        let plain = try await db.store.withTenant(presenting: token) {
            try await $0.messages(agentID: agent.id, conversationID: conversation, request)
        }
        let throughFunction = try await db.store.withTenant(user) {
            try await $0.messages(agentID: agent.id, conversationID: conversation, request)
        }
        #expect(plain.items.count == 5 && plain.hasMore)
        #expect(throughFunction.items.map(\.id) == plain.items.map(\.id))
        #expect(throughFunction.items.map(\.content) == plain.items.map(\.content))
        #expect(throughFunction.hasMore)
    }

    @Test func firstPlainStatementSetsTheTenant() async throws {
        let fixture = try await TenantFixture.make()
        let (own, listed) = try await fixture.db.store.withTenant(fixture.b.user) { session in
            (try await session.agent(fixture.b.agent.id), try await session.agents(PageRequest(limit: 10, order: .descending)))
        }
        #expect(own.id == fixture.b.agent.id)
        #expect(listed.items.map(\.id) == [fixture.b.agent.id])
    }

    @Test func firstPreparedStatementThatSetsNoTenantGetsOneSent() async throws {
        let fixture = try await TenantFixture.make()
        let feedback = try await fixture.db.store.withTenant(fixture.a.user) {
            try await $0.givenFeedback(PageRequest(limit: 10, order: .descending))
        }
        #expect(feedback.items.map(\.messageID) == [fixture.a.message.id])
    }

    @Test func writesAfterTheFirstPageAreTheTenants() async throws {
        let fixture = try await TenantFixture.make()
        let created = try await fixture.db.store.withTenant(fixture.a.user) { session in
            _ = try await session.agents(PageRequest(limit: 10, order: .descending))
            return try await session.createAgent(NewAgent(name: "second", systemPrompt: "p"))
        }
        #expect(created.userID == fixture.a.user)
        let seenByB = try await fixture.count(as: fixture.b.user, "SELECT id FROM agents WHERE name = 'second'")
        #expect(seenByB == 0)
    }

    /// The function sets the tenant it is given only where none is set: it cannot switch a transaction
    /// to another tenant.
    @Test func pageFunctionRefusesInAnotherTenantsTransaction() async throws {
        let fixture = try await TenantFixture.make()
        let refused = await fixture.sqlState(as: fixture.a.user) { connection in
            _ = try await connection.query(
                "SELECT id FROM tenant_agents_page(\(fixture.b.user.rawValue), 10)", logger: fixture.db.logger
            ).collect()
        }
        #expect(refused == "42501")
        let refusedConversation = await fixture.sqlState(as: fixture.a.user) { connection in
            _ = try await connection.query(
                """
                SELECT id FROM tenant_conversation_messages(
                  \(fixture.b.agent.id.rawValue), \(fixture.b.user.rawValue), 'c1', 10, 1000000)
                """, logger: fixture.db.logger
            ).collect()
        }
        #expect(refusedConversation == "42501")
        let own = try await fixture.count(as: fixture.a.user, "SELECT id FROM tenant_agents_page(\(fixture.a.user.rawValue), 10)")
        #expect(own == 1)
    }
}
