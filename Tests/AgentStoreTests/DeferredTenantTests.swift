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
        let own = try await fixture.count(as: fixture.a.user, "SELECT id FROM tenant_agents_page(\(fixture.a.user.rawValue), 10)")
        #expect(own == 1)
    }
}
