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

    /// A migration queued behind a long transaction for a table's lock gives up after its lock timeout
    /// rather than stop every statement on that table behind it, tries again, then fails saying why.
    @Test func aMigrationWaitsForALockOnlySoLong() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let probe = Migration(
            version: (Migration.all.last?.version ?? 0) + 1, name: "probe",
            up: ["ALTER TABLE agent_messages ADD COLUMN probe integer"],
            down: ["ALTER TABLE agent_messages DROP COLUMN probe"])
        let migrator = Migrator(
            client: db.admin, migrations: Migration.all + [probe], lockTimeout: .milliseconds(500), lockAttempts: 2,
            logger: db.logger)
        try await db.admin.withConnection { holder in
            // A reader's lock, held as a long export's snapshot holds it.
            try await holder.query("BEGIN", logger: db.logger)
            try await holder.query("SELECT 1 FROM agent_messages LIMIT 1", logger: db.logger)
            let migrating = Task { try await migrator.up() }
            // Reads go on meanwhile: they are not queued behind the migration for longer than its timeout.
            let clock = ContinuousClock()
            let started = clock.now
            _ = try await db.store.withTenant(user) { try await $0.agents(PageRequest(order: .descending)) }
            _ = try await db.runtime.query("SELECT count(*) FROM agent_messages", logger: db.logger).collect()
            #expect(clock.now - started < .seconds(10))
            await #expect(throws: MigrationError.lockNotAvailable(version: probe.version, waitedSeconds: 0, attempts: 2)) {
                try await migrating.value
            }
            try await holder.query("ROLLBACK", logger: db.logger)
        }
        // Nothing was applied; with the reader gone, it applies.
        #expect(try await migrator.status().pending == [probe.version])
        #expect(try await migrator.up().map(\.version) == [probe.version])
    }

    /// A migrator stuck holding the migration lock (its client gone while the server keeps its session)
    /// holds another, such as a `serve` that migrates at start, only so long; free again, it goes on.
    @Test func aStuckMigratorHoldsAnotherOnlySoLong() async throws {
        let db = try await TestDatabase.make()
        let migrator = Migrator(client: db.admin, migratorWait: .milliseconds(500), logger: db.logger)
        try await db.admin.withConnection { stuck in
            _ = try await stuck.query("SELECT pg_advisory_lock(\(Migrator.lockKey))", logger: db.logger).collect()
            await #expect(throws: MigrationError.migratorLockHeld(waitedSeconds: 0)) { try await migrator.up() }
            _ = try await stuck.query("SELECT pg_advisory_unlock(\(Migrator.lockKey))", logger: db.logger).collect()
        }
        #expect(try await migrator.up().isEmpty)
        #expect(try await migrator.status().pending.isEmpty)
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

    /// Reverting migration 6 drops tokens' expiry and scopes, which version 5 does not check: the tokens that
    /// had either are revoked first, rather than become unexpiring tokens of every scope.
    @Test func revertingTokenExpiryAndScopesRevokesTheTokensThatHadThem() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let readOnly = try await db.store.withTenant(user) { try await $0.createToken(name: "reader", scopes: [.read]) }
        let migrator = Migrator(client: db.admin, logger: db.logger)
        try await migrator.down(to: 5)
        let revoked = try await db.admin.query(
            "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = \(readOnly.token.id.rawValue)", logger: db.logger
        ).collect().first?.decode(Bool.self)
        #expect(revoked == true)
        try await migrator.up()
    }

    @Test func readyOnceMigrated() async throws {
        let db = try await TestDatabase.make()
        #expect(await db.store.readiness() == .ready)
    }

    /// A migrator that row-level security filters fails on the first statement that reads a tenant table,
    /// naming it, instead of reading none of its rows (a backfill that saw nothing reset the budgets).
    @Test func aMigratorThatRowLevelSecurityFiltersFailsInsteadOfReadingNothing() async throws {
        let db = try await TestDatabase.make()
        let filtered = Migration(
            version: (Migration.all.last?.version ?? 0) + 1, name: "reads a tenant table as a role the policies filter",
            up: ["SET LOCAL ROLE agent_runtime", "SELECT count(*) FROM public.provider_calls"], down: [])
        let migrator = Migrator(client: db.admin, migrations: Migration.all + [filtered], logger: db.logger)
        let error = try await #require(throws: MigrationError.self) { try await migrator.up() }
        guard case .statementFailed(let version, let statement, let message) = error else {
            Issue.record("expected a failed statement, got \(error)")
            return
        }
        #expect(version == filtered.version && statement == 2)
        #expect(message.contains("row-level security"), "\(message)")
        #expect(try await migrator.status().current == Migration.all.last?.version)
    }
}
