import Foundation
import PostgresNIO

/// A web console session's cookie as a browser presents it: it names its user, and is checked against the
/// stored hash by `AgentStore.authenticate(_:)`.
public struct PresentedConsoleSession: Sendable {
    /// The prefix that tells a session's value from a personal token's (`ap_`).
    static let prefix = "aps_"

    public let userID: UserID
    let hash: Data

    /// `nil` for anything not shaped like a session; no database is asked.
    public init?(_ value: String) {
        guard let (userID, hash) = TokenFormat.parse(value, prefix: Self.prefix) else { return nil }
        self.userID = userID
        self.hash = hash
    }
}

/// A session just started: the cookie's value is returned now and never again (only its hash is stored).
public struct StartedConsoleSession: Sendable {
    public let value: String
    public let expiresAt: Date
}

extension AgentStore {
    /// The user and scopes of a session, or `nil` if it is unknown, ended, expired, or unused for longer
    /// than `idleTimeout`. The check sets the tenant the session names only if it is valid, and notes the
    /// use (to the minute; `authenticate_console_session`).
    public func authenticate(
        _ session: PresentedConsoleSession, idleTimeout: Duration, requestID: String? = nil
    ) async throws -> AuthenticatedToken? {
        let idleSeconds = Int32(clamping: idleTimeout.components.seconds)
        return try await transaction(session.userID, scope: .filtersOnly, requestID: requestID) { tenant in
            let granted = try await tenant.row(
                "SELECT public.authenticate_console_session(\(session.userID.rawValue), \(session.hash), \(idleSeconds))",
                { try $0.decode([String]?.self) })
            guard let names = granted ?? nil else { return nil }
            return AuthenticatedToken(userID: session.userID, scopes: TenantSession.scopes(names))
        }
    }
}

extension TenantSession {
    /// Starts a console session of the tenant's user with `scopes` (those of the credential that signed in).
    ///
    /// A session signed in with a personal `token` names it, ends when it is revoked or expires (migration
    /// 17), and expires no later than it; one whose token is no longer valid is not started. `notAfter`
    /// caps it where the credential expires without a row to name (a JSON Web Token's `exp`).
    public func startConsoleSession(
        scopes: Set<TokenScope>, lifetime: Duration, token: PresentedToken? = nil, notAfter: Date? = nil
    ) async throws -> StartedConsoleSession {
        guard !scopes.isEmpty else { throw StoreError.invalid(field: .scopes, reason: "must name at least one scope") }
        let (value, hash) = TokenFormat.make(userID: userID, prefix: PresentedConsoleSession.prefix)
        let seconds = Double(lifetime.components.seconds)
        // `least` ignores a NULL: without a token or a `notAfter`, the session's own lifetime.
        let started = try await row(
            """
            INSERT INTO console_sessions (user_id, session_hash, scopes, expires_at, token_id)
            SELECT \(userID.rawValue), \(hash), \(scopes.sorted().map(\.rawValue)),
                   least(now() + make_interval(secs => \(seconds)), t.expires_at, \(notAfter)::timestamptz), t.id
              FROM (SELECT 1) AS one
              LEFT JOIN api_tokens t
                ON t.token_hash = \(token?.hash) AND t.user_id = \(userID.rawValue) AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > now())
            RETURNING id, expires_at, token_id IS NOT NULL
            """, { try $0.decode((String, Date, Bool).self) })
        guard let (id, expiresAt, bound) = started else { throw StoreError.notFound(resource: "user") }
        if token != nil, !bound { throw StoreError.notFound(resource: "token") }
        try await audit(.consoleSessionStarted, targetType: "console_session", targetID: id)
        return StartedConsoleSession(value: value, expiresAt: expiresAt)
    }

    /// Ends a session (sign-out): its cookie stops working at once. Ending an ended session does nothing.
    public func endConsoleSession(_ session: PresentedConsoleSession) async throws {
        let ended = try await rows(
            """
            UPDATE console_sessions SET ended_at = now()
             WHERE session_hash = \(session.hash) AND user_id = \(userID.rawValue) AND ended_at IS NULL
            RETURNING id
            """, { try $0.decode(String.self) })
        for id in ended { try await audit(.consoleSessionEnded, targetType: "console_session", targetID: id) }
    }
}
