import AgentAPI
import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// A schema taken down under a running instance: requests that need what it lacks are a 503 to try again,
/// as `/ready` says, not a 500 each; and all is well again once it is migrated up, without a restart.
@Suite struct SchemaBehindTests {
    @Test func aMissingTableIsA503UntilTheSchemaIsUpAgain() async throws {
        let db = try await TestDatabase.make()
        let api = try await TestAPI.make(database: db)
        let owner = try await api.makeUser()
        try await api.test { client async throws in
            #expect(try await client.send(.get, "/v1/usage", as: owner).status == .ok)
            // Migration 27 holds the hourly totals the usage report reads.
            let migrator = Migrator(client: db.admin, logger: db.logger)
            try await migrator.down(to: 26)
            let behind = try await client.send(.get, "/v1/usage", as: owner)
            #expect(behind.isProblem(.serviceUnavailable))
            #expect(behind.headers[.retryAfter] != nil)
            #expect(try await client.send(.get, "/ready", as: nil).status == .serviceUnavailable)
            #expect(try await client.send(.get, "/v1/agents", as: owner).status == .ok)
            try await migrator.up()
            #expect(try await client.send(.get, "/v1/usage", as: owner).status == .ok)
        }
        await db.drop()
    }
}
