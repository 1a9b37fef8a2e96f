import Foundation
import Logging
import PostgresNIO

/// Brings a database to the state the platform runs on: created, migrated, with a runtime login role.
public enum PlatformDatabase {
    /// The login role the platform connects as at runtime: a member of `agent_runtime`, nothing more.
    public static let runtimeLogin = "agent_app"

    /// Creates `database` if it does not exist (connecting to the `postgres` database to do so).
    public static func create(_ database: String, admin: DatabaseURL, logger: Logger) async throws {
        var maintenance = admin.clientConfiguration(maxConnections: 1)
        maintenance.database = "postgres"
        try await PostgresClient.withRunning(maintenance, logger: logger) { client in
            let exists = try await client.query(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = \(database))", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
            if !exists {
                do {
                    try await client.query("CREATE DATABASE \(unescaped: quoted(database))", logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.duplicateDatabase.raw {
                    // Another process created it first.
                }
            }
        }
    }

    /// Applies all migrations, then makes sure the runtime login role exists (passwordless: for clusters
    /// reached only through a private Unix socket).
    public static func migrateAndEnsureRuntimeLogin(admin: PostgresClient, logger: Logger) async throws {
        try await Migrator(client: admin, logger: logger).up()
        try await admin.query(
            """
            DO $$ BEGIN
              CREATE ROLE \(unescaped: runtimeLogin) LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE IN ROLE agent_runtime;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """, logger: logger)
    }

    /// Double-quotes an identifier we name ourselves (database names from configuration).
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
