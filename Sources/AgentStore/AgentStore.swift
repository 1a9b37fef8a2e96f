import AgentSecrets
import Logging
import PostgresNIO

/// The platform's data: every read and write of tenant data goes through `withTenant`, which runs it in
/// one transaction as that tenant, under row-level security.
public final class AgentStore: Sendable {
    let client: PostgresClient
    let keyring: Keyring?
    let logger: Logger

    /// - Parameters:
    ///   - client: a pool connected as the runtime role (never a role that bypasses row-level security).
    ///   - keyring: the keys that seal API keys; without one, connections cannot be created or opened.
    public init(client: PostgresClient, keyring: Keyring?, logger: Logger) {
        self.client = client
        self.keyring = keyring
        self.logger = logger
    }

    /// Runs `body` in one transaction whose tenant is `userID`.
    ///
    /// The tenant is set with `set_config(..., true)`, local to the transaction, so nothing of it outlives
    /// the transaction on the pooled connection. Store errors thrown by `body` arrive unwrapped.
    public func withTenant<Result: Sendable>(
        _ userID: UserID, requestID: String? = nil,
        _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            let session = TenantSession(
                connection: connection, userID: userID, requestID: requestID, keyring: keyring, logger: logger)
            try await session.begin()
            let result: Result
            do {
                result = try await body(session)
            } catch {
                await session.rollback()
                throw error
            }
            try await session.commit()
            return result
        }
    }

    /// Whether the database answers and holds the schema version this binary expects.
    public func readiness() async -> Readiness {
        do {
            let version = try await client.query(
                "SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger
            ).collect().first?.decode(Int.self) ?? 0
            let latest = Migration.all.last?.version ?? 0
            return version == latest ? .ready : .notMigrated(current: version, expected: latest)
        } catch {
            return .unreachable
        }
    }
}

/// The state of the store's database, for readiness probes.
public enum Readiness: Sendable, Equatable {
    case ready
    case notMigrated(current: Int, expected: Int)
    case unreachable
}
