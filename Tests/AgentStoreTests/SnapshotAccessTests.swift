import AgentTestSupport
import PostgresNIO
import Testing

@testable import AgentStore

/// The transaction an export reads in: repeatable read and read-only, with the token check still able to
/// record its use.
@Suite struct SnapshotAccessTests {
    static let access = TenantSession.Access.snapshot(statementTimeout: .seconds(5), idleTimeout: .seconds(5))

    @Test(arguments: [false, true])
    func aSnapshotIsRepeatableReadAndReadOnly(presentingToken: Bool) async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { try await $0.createToken(name: "t") }
        let token = try #require(PresentedToken(issued.value))
        let scope: TenantSession.Scope = presentingToken ? .token(hash: token.hash) : .tenant
        let settings = try await db.store.transaction(user, scope: scope, access: Self.access, requestID: nil) { session in
            try await session.row(
                """
                SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only'),
                       current_setting('statement_timeout'), current_setting('app.current_user_id')
                """
            ) { try $0.decode((String, String, String, String).self) }
        }
        #expect(settings?.0 == "repeatable read")
        #expect(settings?.1 == "on")
        #expect(settings?.2 == "5s")
        #expect(settings?.3 == user.rawValue)
        await #expect(throws: (any Error).self) {
            try await db.store.transaction(user, scope: scope, access: Self.access, requestID: nil) {
                _ = try await $0.createAgent(NewAgent(name: "a", systemPrompt: "p"))
            }
        }
    }
}
