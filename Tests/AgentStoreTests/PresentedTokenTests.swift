import AgentStore
import AgentTestSupport
import Synchronization
import Testing

/// `withTenant(presenting:)`: the token is checked by the transaction's first statement, and a token that
/// is not valid leaves the transaction with no tenant at all.
@Suite struct PresentedTokenTests {
    @Test func validTokenRunsAsItsUser() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { session in
            _ = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            return try await session.createToken(name: "t")
        }
        let token = try #require(PresentedToken(issued.value))
        #expect(token.userID == user)
        let agents = try await db.store.withTenant(presenting: token) {
            try await $0.agents(PageRequest(limit: 10, order: .descending))
        }
        #expect(agents.items.count == 1)
        let used = try await db.store.withTenant(user) { try await $0.tokens(PageRequest(limit: 10, order: .descending)) }
        #expect(used.items.first?.lastUsedAt != nil)
    }

    /// A token an operator's command issues or revokes in a user's name is in the user's audit log as the
    /// operator's, where it read as the user's own.
    @Test func anOperatorsTokenIsAuditedAsTheOperators() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let (own, issued) = try await db.store.withTenant(user) { session in
            (try await session.createToken(name: "mine"), try await session.actingAsOperator().createToken(name: "theirs"))
        }
        _ = try await db.store.withTenant(user) { try await $0.actingAsOperator().revokeToken(own.token.id) }
        let entries = try await db.store.withTenant(user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending)).items
        }
        let actors = entries.filter { $0.action.hasPrefix("token.") }.map { "\($0.action) \($0.targetID ?? "") \($0.actor)" }
        #expect(
            actors == [
                "token.created \(own.token.id.rawValue) \(AuditEntry.actor(user))",
                "token.created \(issued.token.id.rawValue) operator",
                "token.revoked \(own.token.id.rawValue) operator",
            ])
    }

    @Test func invalidTokenSeesAndWritesNothing() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { session in
            _ = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            return try await session.createToken(name: "t")
        }
        let forgedValue = String(issued.value.prefix { $0 != "." }) + "." + String(repeating: "B", count: 43)
        let forged = try #require(PresentedToken(forgedValue))
        let seen = SeenRows()
        await #expect(throws: StoreError.unauthenticated) {
            try await db.store.withTenant(presenting: forged) { session in
                seen.record(try await session.agents(PageRequest(limit: 10, order: .descending)).items.count)
            }
        }
        #expect(seen.value == 0)
        await #expect(throws: StoreError.unauthenticated) {
            try await db.store.withTenant(presenting: forged) { try await $0.createAgent(NewAgent(name: "b", systemPrompt: "p")) }
        }
        let agents = try await db.store.withTenant(user) { try await $0.agents(PageRequest(limit: 10, order: .descending)) }
        #expect(agents.items.map(\.name) == ["a"])
        #expect(PresentedToken("ap_garbage") == nil)
    }

    @Test func tokenWithoutTheRequiredScopeSeesAndWritesNothing() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { session in
            _ = try await session.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            return try await session.createToken(name: "reader", scopes: [.read])
        }
        let reader = try #require(PresentedToken(issued.value))
        let seen = SeenRows()
        await #expect(throws: StoreError.forbidden(needing: .write)) {
            try await db.store.withTenant(presenting: reader, requiring: .write) { session in
                seen.record(try await session.agents(PageRequest(limit: 10, order: .descending)).items.count)
            }
        }
        #expect(seen.value == 0)
        await #expect(throws: StoreError.forbidden(needing: .admin)) {
            try await db.store.withTenant(presenting: reader, requiring: .admin) {
                try await $0.createAgent(NewAgent(name: "b", systemPrompt: "p"))
            }
        }
        // The same token reads, as its scope allows.
        let agents = try await db.store.withTenant(presenting: reader, requiring: .read) {
            try await $0.agents(PageRequest(limit: 10, order: .descending))
        }
        #expect(agents.items.map(\.name) == ["a"])
    }
}

/// What a transaction body saw, kept past the transaction that threw.
private final class SeenRows: Sendable {
    private let rows = Mutex<Int?>(nil)
    func record(_ count: Int) { rows.withLock { $0 = count } }
    var value: Int? { rows.withLock { $0 } }
}
