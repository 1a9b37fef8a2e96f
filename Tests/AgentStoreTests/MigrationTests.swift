import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

@Suite struct MigrationTests {
    /// Tables in the public schema, as the administrator sees them.
    func tables(_ db: TestDatabase) async throws -> Set<String> {
        var names: Set<String> = []
        for try await name in try await db.admin.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", logger: db.logger
        ).decode(String.self) {
            names.insert(name)
        }
        return names
    }

    @Test func upDownToZeroAndUpAgain() async throws {
        let db = try await TestDatabase.make(migrated: false)
        let migrator = Migrator(client: db.admin, logger: db.logger)
        let applied = try await migrator.up()
        #expect(applied.map(\.version) == Migration.all.map(\.version))
        #expect(
            try await tables(db).isSuperset(of: [
                "users", "agents", "api_connections", "agent_api_connections", "agent_messages", "agent_feedback", "audit_log",
                "schema_migrations",
            ]))
        #expect(try await migrator.status().pending.isEmpty)

        let oneStep = try await migrator.down()
        #expect(oneStep.map(\.version) == [Migration.all.last!.version])
        #expect(try await migrator.status().current == Migration.all.last!.version - 1)

        try await migrator.down(to: 0)
        #expect(try await tables(db).isEmpty)
        let functions = try await db.admin.query(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
            logger: db.logger
        ).collect().first?.decode(Int.self)
        #expect(functions == 0)

        try await migrator.up()
        #expect(try await migrator.status().current == migrator.latestVersion)
    }

    @Test func concurrentMigrationsApplyEachVersionOnce() async throws {
        let db = try await TestDatabase.make(migrated: false)
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask { try await Migrator(client: db.admin, logger: db.logger).up().map(\.version) }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(results.sorted() == Migration.all.map(\.version))
        let rows = try await db.admin.query("SELECT count(*) FROM schema_migrations", logger: db.logger)
            .collect().first?.decode(Int.self)
        #expect(rows == Migration.all.count)
    }

    @Test func editedMigrationIsRefused() async throws {
        let db = try await TestDatabase.make()
        try await db.admin.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", logger: db.logger)
        await #expect(throws: MigrationError.checksumMismatch(version: 1, name: Migration.all[0].name)) {
            try await Migrator(client: db.admin, logger: db.logger).up()
        }
    }

    @Test func newerDatabaseIsRefused() async throws {
        let db = try await TestDatabase.make()
        try await db.admin.query(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')", logger: db.logger)
        let migrator = Migrator(client: db.admin, logger: db.logger)
        await #expect(throws: MigrationError.databaseNewer(databaseVersion: 999, binaryVersion: migrator.latestVersion)) {
            try await migrator.status()
        }
        #expect(await db.store.readiness() == .notMigrated(current: 999, expected: migrator.latestVersion))
    }

    @Test func readyOnceMigrated() async throws {
        let db = try await TestDatabase.make()
        #expect(await db.store.readiness() == .ready)
    }
}
