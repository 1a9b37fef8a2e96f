import AgentSecrets
import Logging
import PostgresNIO

/// The platform's data: every read and write of tenant data goes through `withTenant`, which runs it in
/// one transaction as that tenant, under row-level security.
public final class AgentStore: Sendable {
    let client: any DatabaseConnections
    let keyring: Keyring?
    let logger: Logger

    /// - Parameters:
    ///   - client: connections as the runtime role (never a role that bypasses row-level security).
    ///   - keyring: the keys that seal API keys; without one, connections cannot be created or opened.
    public init(client: any DatabaseConnections, keyring: Keyring?, logger: Logger) {
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
        try await transaction(userID, scope: .tenant, requestID: requestID, body)
    }

    /// Runs `body` in one transaction as the user a personal token names, checking the token and that
    /// its scopes allow `required` in the same transaction (one statement, ahead of the body's queries).
    /// Throws `StoreError.unauthenticated` when the token is malformed, unknown, revoked or expired, and
    /// `StoreError.forbidden` when it lacks the scope; the body's work is then rolled back, and it could
    /// not see or change anything, because the tenant is taken back with the token refused.
    public func withTenant<Result: Sendable>(
        presenting token: PresentedToken, requiring required: TokenScope = .read, requestID: String? = nil,
        _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await transaction(token.userID, scope: .token(hash: token.hash, requiring: required), requestID: requestID, body)
    }

    /// Runs `body` in one transaction as `claim`'s tenant: `withTenant(_:requestID:_:)` for a tenant the
    /// caller authenticated, `withTenant(presenting:requiring:requestID:_:)` for a personal token.
    public func withTenant<Result: Sendable>(
        as claim: TenantClaim, requestID: String? = nil, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await transaction(claim.userID, scope: claim.scope, requestID: requestID, body)
    }

    /// Runs `body` in one transaction whose tenant is taken on as `scope` says. `package`: the benchmarks
    /// reach `.filtersOnly` through it; the product goes through `withTenant`.
    /// `deferringTenant: false` sends a `SET LOCAL` ahead of the body instead, as before migration 16 (the
    /// benchmarks compare the two).
    package func transaction<Result: Sendable>(
        _ userID: UserID, scope: TenantSession.Scope, access: TenantSession.Access = .readWrite, requestID: String?,
        deferringTenant: Bool = true, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withLeasedConnection { connection in
                // A tenant the caller authenticated is set by the body's first statement (see `DeferredTenant`).
                let deferredTenant: DeferredTenant? =
                    if deferringTenant, case .tenant = scope, case .readWrite = access { DeferredTenant() } else { nil }
                let opening = TenantSession.open(
                    connection, userID: userID, scope: scope, access: access, deferredTenant: deferredTenant, logger: logger)
                let session = TenantSession(
                    connection: connection, userID: userID, requestID: requestID, keyring: keyring, logger: logger,
                    opening: opening, deferredTenant: deferredTenant)
                let result: Result
                do {
                    result = try await body(session)
                    guard try await opening.get() else { throw StoreError.unauthenticated }
                } catch {
                    await session.rollback()
                    // A body that failed because the opening did (a token refused, a token's check past its
                    // statement timeout) failed for that reason: the body's statements, pipelined behind it,
                    // say only that the transaction was aborted (25P02), a 500 where the cause is a 503.
                    if let cause = await Self.failure(of: opening) { throw cause }
                    throw error
                }
                try await session.commit()
                return result
            }
        } catch let error as PSQLError {
            throw StoreError(unavailable: error) ?? error
        }
    }

    /// Why the transaction's opening failed, if it did: a token not valid, or valid without the scope, or
    /// the error of one of its statements.
    private static func failure(of opening: EventLoopFuture<Bool>) async -> (any Error)? {
        do {
            return try await opening.get() ? nil : StoreError.unauthenticated
        } catch {
            return error
        }
    }

    /// Whether the database answers and holds the schema version this binary expects. A connection is
    /// waited for at most `wait`: when none becomes free in that time every one is busy, answering the
    /// database's work, and the instance counts as ready (``Readiness/busy``). Had the probe waited out the
    /// pool's five seconds instead, an orchestrator's one-second probe would take every instance of a busy
    /// fleet out of service at once.
    public func readiness(waitingAtMost wait: Duration = .milliseconds(500)) async -> Readiness {
        do {
            let version = try await client.withLeasedConnection(waitingAtMost: wait) { connection in
                try await connection.sendingIfOpen("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
                    .first?.decode(Int.self) ?? 0
            }
            let latest = Migration.all.last?.version ?? 0
            return version == latest ? .ready : .notMigrated(current: version, expected: latest)
        } catch StoreError.unavailable(let reason) where reason == PersistentConnectionPool.noConnectionInTime {
            return .busy
        } catch {
            return .unreachable
        }
    }
}

/// The state of the store's database, for readiness probes.
public enum Readiness: Sendable, Equatable {
    case ready
    /// Every connection was busy with other work for the whole wait: the database answers them.
    case busy
    case notMigrated(current: Int, expected: Int)
    case unreachable
}
