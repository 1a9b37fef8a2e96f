import AgentStore
import AgentTestSupport
import Foundation
import Testing

/// `agentctl migrate ...` against a test database.
@Suite struct MigrateCommandTests {
    /// Up to a version the schema is already past applies nothing and says where the schema is, where it said
    /// "up to date"; up to the newest says that.
    @Test func upToAnOlderVersionSaysTheSchemaIsPastIt() async throws {
        let db = try await TestDatabase.make()
        let environment = ["DATABASE_URL": db.runtimeURL.replacing(), "ADMIN_DATABASE_URL": db.adminURL.replacing()]
        let latest = Migration.all.count
        let older = try await AgentCtlRun(["migrate", "up", "--to", "5"], environment: environment)
        #expect(
            older.status == 0
                && older.output
                    == "nothing to apply: the schema is at version \(latest), past 5 (`migrate down --to 5` reverts)\n",
            "\(older.output) \(older.errors)")
        let newest = try await AgentCtlRun(["migrate", "up"], environment: environment)
        #expect(newest.status == 0 && newest.output == "up to date\n", "\(newest.output)")
        await db.drop()
    }
}
