import Logging
import PostgresNIO

/// Applies and reverts the embedded migrations, one version at a time, each in its own transaction.
///
/// A session advisory lock serialises migrators, so two processes migrating at once is safe: the second
/// waits (at most `migratorWait`), then finds nothing left to do.
public struct Migrator: Sendable {
    /// Arbitrary, fixed: the advisory lock that every migrator of this schema takes.
    package static let lockKey: Int64 = 0x4167_656E_7450_6C74

    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger
    /// How long a statement of a migration waits for a lock, and how many times in all a migration that
    /// waited too long is tried (1, 2, 4... s apart). Queued for a table's exclusive lock behind a long
    /// transaction (an export's snapshot may last a minute), a migration would stop every statement on that
    /// table behind it, on every instance; after its attempts it fails and says why.
    let lockTimeout: Duration
    let lockAttempts: Int
    /// How long a migrator waits for another to finish (the advisory lock). A stuck one (its client gone
    /// while the server keeps its session) would otherwise hold every `serve` that migrates at start.
    let migratorWait: Duration

    public init(
        client: PostgresClient, migrations: [Migration] = Migration.all, lockTimeout: Duration = .seconds(5),
        lockAttempts: Int = 5, migratorWait: Duration = .seconds(300), logger: Logger
    ) {
        self.client = client
        self.migrations = migrations
        self.lockTimeout = lockTimeout
        self.lockAttempts = max(1, lockAttempts)
        self.migratorWait = migratorWait
        self.logger = logger
    }

    /// The newest version this binary knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    // MARK: Commands

    /// Applies every pending migration up to `target` (default: the newest) and returns those applied.
    @discardableResult
    public func up(to target: Int? = nil) async throws -> [Migration] {
        let target = target ?? latestVersion
        guard target >= 0, target <= latestVersion else { throw MigrationError.unknownVersion(target) }
        return try await withLock { connection in
            let applied = try await checkedHistory(connection)
            var done: [Migration] = []
            for migration in migrations where migration.version <= target && applied[migration.version] == nil {
                try await run(migration.up, of: migration, on: connection) {
                    try await connection.rowsIfOpen(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """, logger: logger)
                }
                logger.info("migrated up", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration)
            }
            return done
        }
    }

    /// Reverts applied migrations, newest first, down to `target` (default: one step back).
    /// At zero the bookkeeping table goes too, leaving an empty schema.
    @discardableResult
    public func down(to target: Int? = nil) async throws -> [Migration] {
        try await withLock { connection in
            let applied = try await checkedHistory(connection)
            let current = applied.keys.max() ?? 0
            let target = target ?? max(current - 1, 0)
            guard target >= 0, target <= latestVersion else { throw MigrationError.unknownVersion(target) }
            var done: [Migration] = []
            for migration in migrations.reversed() where migration.version > target && applied[migration.version] != nil {
                try await run(migration.down, of: migration, on: connection) {
                    try await connection.rowsIfOpen(
                        "DELETE FROM schema_migrations WHERE version = \(migration.version)", logger: logger)
                }
                logger.info("migrated down", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration)
            }
            if target == 0 {
                try await connection.rowsIfOpen("DROP TABLE IF EXISTS schema_migrations", logger: logger)
            }
            return done
        }
    }

    /// The applied and pending migrations, after checking that applied ones match this binary.
    public func status() async throws -> MigrationStatus {
        try await client.withConnection { connection in
            let applied = try await history(connection)
            try verify(applied)
            return MigrationStatus(
                applied: migrations.filter { applied[$0.version] != nil }.map(\.version),
                pending: migrations.filter { applied[$0.version] == nil }.map(\.version),
                latest: latestVersion)
        }
    }

    // MARK: Steps

    private func withLock<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await takeMigratorLock(on: connection)
            do {
                try await connection.rowsIfOpen(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                      version integer PRIMARY KEY,
                      name text NOT NULL,
                      checksum text NOT NULL,
                      applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                let result = try await body(connection)
                try await connection.rowsIfOpen("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return result
            } catch {
                // Closing the session releases the lock even if the unlock cannot be sent.
                _ = try? await connection.rowsIfOpen("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Takes the session's advisory lock, waiting at most `migratorWait`. It is taken inside a transaction
    /// only so that the wait's `lock_timeout` ends with it: a session lock outlives its transaction.
    private func takeMigratorLock(on connection: PostgresConnection) async throws {
        try await connection.rowsIfOpen("BEGIN", logger: logger)
        do {
            try await connection.rowsIfOpen(
                "SELECT set_config('lock_timeout', \(migratorWait.settingMilliseconds), true)", logger: logger)
            try await connection.rowsIfOpen("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            try await connection.commitIfOpen(logger: logger)
        } catch {
            await connection.rollbackOrClose(logger: logger)
            if let error = error as? PSQLError, error.serverInfo?[.sqlState] == PostgresError.Code.lockNotAvailable.raw {
                throw MigrationError.migratorLockHeld(waitedSeconds: Int(migratorWait.components.seconds))
            }
            throw error
        }
    }

    /// Runs `statements` and `record` in one transaction, tried again when a lock was not had in time.
    private func run(
        _ statements: [String], of migration: Migration, on connection: PostgresConnection,
        record: () async throws -> Void
    ) async throws {
        for attempt in 1... {
            do {
                return try await runOnce(statements, of: migration, on: connection, record: record)
            } catch MigrationError.lockNotAvailable where attempt < lockAttempts {
                logger.warning(
                    "a migration waited too long for a lock; trying again",
                    metadata: ["version": "\(migration.version)", "attempt": "\(attempt)"])
                try await Task.sleep(for: .seconds(1 << min(attempt - 1, 5)))
            }
        }
    }

    private func runOnce(
        _ statements: [String], of migration: Migration, on connection: PostgresConnection,
        record: () async throws -> Void
    ) async throws {
        try await connection.rowsIfOpen("BEGIN", logger: logger)
        do {
            // A whole number of milliseconds this type computed: no value of anyone else's in the text.
            try await connection.rowsIfOpen(
                PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(lockTimeout.settingMilliseconds)ms'"), logger: logger)
            // A migrator that row-level security filters (neither a superuser nor BYPASSRLS) fails on the first
            // statement that reads a tenant table, naming it, rather than count none of its rows: a backfill
            // that saw nothing once reset every tenant's monthly token count.
            try await connection.rowsIfOpen("SET LOCAL row_security = off", logger: logger)
            for (index, statement) in statements.enumerated() {
                do {
                    try await connection.rowsIfOpen(PostgresQuery(unsafeSQL: statement), logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.lockNotAvailable.raw {
                    throw MigrationError.lockNotAvailable(
                        version: migration.version, waitedSeconds: Int(lockTimeout.components.seconds), attempts: lockAttempts)
                } catch let error as PSQLError {
                    throw MigrationError.statementFailed(
                        version: migration.version, statement: index + 1,
                        message: error.serverInfo?[.message] ?? "\(error.code)")
                }
            }
            try await record()
            try await connection.commitIfOpen(logger: logger)
        } catch {
            await connection.rollbackOrClose(logger: logger)
            throw error
        }
    }

    private func checkedHistory(_ connection: PostgresConnection) async throws -> [Int: String] {
        let applied = try await history(connection)
        try verify(applied)
        return applied
    }

    /// Applied versions and their checksums; empty when the bookkeeping table does not exist yet.
    private func history(_ connection: PostgresConnection) async throws -> [Int: String] {
        let exists =
            try await connection.rowsIfOpen(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
            ).first?.decode(Bool.self) ?? false
        guard exists else { return [:] }
        var applied: [Int: String] = [:]
        for row in try await connection.rowsIfOpen("SELECT version, checksum FROM schema_migrations", logger: logger) {
            let (version, checksum) = try row.decode((Int, String).self)
            applied[version] = checksum
        }
        return applied
    }

    private func verify(_ applied: [Int: String]) throws {
        if let newest = applied.keys.max(), newest > latestVersion {
            throw MigrationError.databaseNewer(databaseVersion: newest, binaryVersion: latestVersion)
        }
        for migration in migrations {
            if let checksum = applied[migration.version], checksum != migration.checksum {
                throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
            }
        }
    }
}

/// Where the database stands against this binary's migrations.
public struct MigrationStatus: Sendable, Equatable {
    public let applied: [Int]
    public let pending: [Int]
    public let latest: Int
    public var current: Int { applied.max() ?? 0 }
}

public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    case checksumMismatch(version: Int, name: String)
    case databaseNewer(databaseVersion: Int, binaryVersion: Int)
    case unknownVersion(Int)
    case statementFailed(version: Int, statement: Int, message: String)
    case lockNotAvailable(version: Int, waitedSeconds: Int, attempts: Int)
    case migratorLockHeld(waitedSeconds: Int)

    public var description: String {
        switch self {
        case .checksumMismatch(let version, let name):
            "migration \(version) (\(name)) was edited after it was applied: its checksum differs from the database's record; restore it and add a new migration instead"
        case .databaseNewer(let databaseVersion, let binaryVersion):
            "the database is at version \(databaseVersion), newer than this binary's \(binaryVersion): upgrade agentctl before using this database"
        case .unknownVersion(let version):
            "there is no migration version \(version)"
        case .statementFailed(let version, let statement, let message):
            "migration \(version) failed at statement \(statement): \(message)"
        case .lockNotAvailable(let version, let waitedSeconds, let attempts):
            "migration \(version) waited more than \(waitedSeconds) s for a table's lock, \(attempts) times: a long transaction "
                + "holds it (see pg_stat_activity); nothing was changed, run it again once that transaction ends"
        case .migratorLockHeld(let waitedSeconds):
            "another migrator (agentctl migrate, or a serve starting) held the migration lock for more than \(waitedSeconds) s: "
                + "nothing was changed; run it again once that one ends, or end its session (pg_locks, locktype advisory)"
        }
    }
}
