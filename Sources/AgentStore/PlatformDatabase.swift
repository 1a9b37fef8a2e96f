import Foundation
import Logging
import PostgresNIO

/// Brings a database to the state the platform runs on: created, migrated, with a runtime login role.
public enum PlatformDatabase {
    /// The login role the platform connects as at runtime: a member of `agent_runtime`, nothing more.
    public static let runtimeLogin = "agent_app"

    /// Creates `database` if it does not exist; returns whether this call created it.
    @discardableResult
    public static func create(_ database: String, admin: DatabaseURL, logger: Logger) async throws -> Bool {
        try await withMaintenance(admin: admin, logger: logger) { client in
            guard try await !exists(database, client: client, logger: logger) else { return false }
            do {
                try await client.rowsIfOpen("CREATE DATABASE \(unescaped: quoted(database))", logger: logger)
                return true
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.duplicateDatabase.raw {
                return false  // another process created it first
            }
        }
    }

    /// Drops `database` if it exists, disconnecting its sessions (for scratch databases such as benchmarks').
    public static func drop(_ database: String, admin: DatabaseURL, logger: Logger) async throws {
        try await withMaintenance(admin: admin, logger: logger) { client in
            _ = try await client.rowsIfOpen("DROP DATABASE IF EXISTS \(unescaped: quoted(database)) WITH (FORCE)", logger: logger)
        }
    }

    private static func exists(_ database: String, client: PostgresClient, logger: Logger) async throws -> Bool {
        try await client.rowsIfOpen(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = \(database))", logger: logger
        ).first?.decode(Bool.self) ?? false
    }

    /// Runs `body` connected to the server's `postgres` database, where databases are created and dropped.
    private static func withMaintenance<Result: Sendable>(
        admin: DatabaseURL, logger: Logger, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        var maintenance = admin.clientConfiguration(maxConnections: 1)
        maintenance.database = "postgres"
        return try await PostgresClient.withRunning(maintenance, logger: logger, body)
    }

    /// The longest a statement of the runtime login may run. A role's settings apply only to sessions
    /// that log in as that role, not to its members, so the login carries it (not `agent_runtime`).
    public static let runtimeStatementTimeout = "30s"

    /// Applies all migrations, then makes sure the runtime login role exists (passwordless: for clusters
    /// reached only through a private Unix socket) with its statement timeout, which takes effect for
    /// sessions opened from then on.
    public static func migrateAndEnsureRuntimeLogin(admin: PostgresClient, logger: Logger) async throws {
        try await Migrator(client: admin, logger: logger).up()
        try await admin.rowsIfOpen(
            """
            DO $$ BEGIN
              CREATE ROLE \(unescaped: runtimeLogin) LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE IN ROLE agent_runtime;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """, logger: logger)
        // Constants of ours: ALTER ROLE takes no bind parameters. Roles are shared by every database of
        // the cluster, so processes migrating other databases may set it at the same moment: the setting
        // is only written when missing, and a concurrent writer's collision means it is being set.
        try await admin.rowsIfOpen(
            """
            DO $$ BEGIN
              IF NOT EXISTS (
                SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
                 WHERE r.rolname = '\(unescaped: runtimeLogin)' AND s.setdatabase = 0
                   AND 'statement_timeout=\(unescaped: runtimeStatementTimeout)' = ANY (s.setconfig)
              ) THEN
                ALTER ROLE \(unescaped: runtimeLogin) SET statement_timeout = '\(unescaped: runtimeStatementTimeout)';
              END IF;
            EXCEPTION WHEN unique_violation OR internal_error THEN NULL;
            END $$
            """, logger: logger)
    }

    /// Double-quotes an identifier we name ourselves (database names from configuration).
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
