import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

@Suite struct ConcurrencyTests {
    /// Many tasks for many tenants over a small pool: no tenant ever sees another's row, so no tenant
    /// context leaks between transactions on a pooled connection.
    @Test func noRowCrossesTenantsOverASharedPool() async throws {
        let db = try await TestDatabase.make()
        var tenants: [UserID] = []
        for index in 0..<12 {
            let user = try await db.makeUser("t\(index)")
            try await db.store.withTenant(user) { session in
                for n in 0..<3 { _ = try await session.createAgent(NewAgent(name: "agent \(n)", systemPrompt: "p")) }
            }
            tenants.append(user)
        }
        let (violations, committed) = await withThrowingTaskGroup(of: Int.self) { group in
            for round in 0..<200 {
                let user = tenants[round % tenants.count]
                group.addTask {
                    try await db.store.withTenant(user) { session in
                        let agents = try await session.agents(PageRequest(limit: 100, order: .descending)).items
                        if round % 7 == 0 { throw CancellationError() }  // some transactions roll back
                        return agents.filter { $0.userID != user }.count + (agents.count == 3 ? 0 : 1000)
                    }
                }
            }
            var (total, committed) = (0, 0)
            while let result = await group.nextResult() {
                if case .success(let count) = result { (total, committed) = (total + count, committed + 1) }
            }
            return (total, committed)
        }
        #expect(violations == 0)
        // Every transaction but the rolled back ones (a seventh) read: none failed unseen.
        #expect(committed == 200 - 29)
    }
}
