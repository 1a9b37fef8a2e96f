import Crypto
import Foundation
import PostgresNIO

/// Personal API tokens: `ap_<user id, base64url>.<32 random bytes, base64url>`. The user id lets the
/// token be checked inside its own tenant; only a SHA-256 of the random part is stored.
enum TokenFormat {
    static let prefix = "ap_"

    /// A new credential of `userID`; console sessions share the format under a prefix of their own.
    static func make(userID: UserID, prefix: String = prefix) -> (value: String, hash: Data) {
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        let secretText = base64URL(secret)
        return ("\(prefix)\(base64URL(Array(userID.rawValue.utf8))).\(secretText)", hash(secretText))
    }

    /// The user and the hash a presented token claims; `nil` for anything not shaped like a token.
    static func parse(_ value: String, prefix: String = prefix) -> (userID: UserID, hash: Data)? {
        guard value.hasPrefix(prefix), value.utf8.count <= 512 else { return nil }
        let parts = value.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].utf8.count == 43,
            let userBytes = Data(base64Encoded: base64(String(parts[0]))),
            let user = String(data: userBytes, encoding: .utf8), let userID = UserID(rawValue: user)
        else { return nil }
        return (userID, hash(String(parts[1])))
    }

    private static func hash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func base64(_ url: String) -> String {
        let text = url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return text + String(repeating: "=", count: (4 - text.count % 4) % 4)
    }
}

/// A personal token as a client presents it: it names its user, and is checked against the stored hash
/// inside the transaction that serves the request (`AgentStore.withTenant(presenting:)`).
public struct PresentedToken: Sendable {
    public let userID: UserID
    let hash: Data

    /// `nil` for anything not shaped like a personal token; no database is asked.
    public init?(_ value: String) {
        guard let (userID, hash) = TokenFormat.parse(value) else { return nil }
        self.userID = userID
        self.hash = hash
    }
}

extension AgentStore {
    /// The user a bearer token belongs to, or `nil` if it is malformed, unknown, revoked or expired: for
    /// callers that need the answer before any work of the request (requests with bodies, streamed responses).
    public func authenticate(token: String, requestID: String? = nil) async throws -> UserID? {
        guard let presented = PresentedToken(token) else { return nil }
        return try await authenticate(presented, requestID: requestID)?.userID
    }

    /// The user and scopes of a parsed personal token, or `nil` if it is unknown, revoked or expired.
    public func authenticate(_ token: PresentedToken, requestID: String? = nil) async throws -> AuthenticatedToken? {
        do {
            return try await withTenant(presenting: token, requestID: requestID) { session in
                // Read under the tenant the check just set; the row is the one that passed it.
                let stored = try await session.row(
                    """
                    SELECT scopes FROM api_tokens
                     WHERE token_hash = \(token.hash) AND user_id = \(session.userID.rawValue)
                    """, { try $0.decode([String].self) })
                return AuthenticatedToken(userID: session.userID, scopes: TenantSession.scopes(stored ?? []))
            }
        } catch StoreError.unauthenticated {
            return nil
        }
    }
}

extension TenantSession {
    static let tokenColumns = "id, name, created_at, last_used_at, revoked_at, expires_at, scopes"

    static func token(from row: PostgresRow) throws -> APIToken {
        let (id, name, createdAt, lastUsedAt, revokedAt, expiresAt, scopeNames) =
            try row.decode((String, String, Date, Date?, Date?, Date?, [String]).self)
        return APIToken(
            id: TokenID(stored: id), name: name, createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt,
            expiresAt: expiresAt, scopes: Self.scopes(scopeNames).sorted())
    }

    /// Stored scopes as values; a name this version does not know grants nothing.
    static func scopes(_ names: [String]) -> Set<TokenScope> {
        Set(names.compactMap(TokenScope.init(rawValue:)))
    }

    /// Issues a token for the tenant's user; its value is returned now and never again.
    ///
    /// - Parameters:
    ///   - expiresInDays: the token's lifetime, 1 to `lifetime.maximumDays`; `nil` takes `lifetime.defaultDays`.
    ///   - scopes: what it may do, at least one scope.
    public func createToken(
        name: String = "", expiresInDays: Int? = nil, scopes: Set<TokenScope> = TokenScope.all,
        lifetime: TokenLifetime = .standard
    ) async throws -> IssuedAPIToken {
        let days = expiresInDays ?? lifetime.defaultDays
        // Every field's fault named at once.
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in try Field.text(name, .name, length: 0...200) }
        try checks.check { () throws(StoreError) in
            guard (1...lifetime.maximumDays).contains(days) else {
                throw .invalid(field: .expiresInDays, reason: "must be between 1 and \(lifetime.maximumDays)")
            }
        }
        try checks.check { () throws(StoreError) in
            guard !scopes.isEmpty else { throw .invalid(field: .scopes, reason: "must name at least one scope") }
        }
        try checks.finish()
        let scopeNames = scopes.sorted().map(\.rawValue)
        let (value, hash) = TokenFormat.make(userID: userID)
        let token =
            try await row(
                """
                INSERT INTO api_tokens (user_id, name, token_hash, expires_at, scopes)
                VALUES (\(userID.rawValue), \(name), \(hash), now() + make_interval(days => \(Int32(days))), \(scopeNames))
                RETURNING \(unescaped: Self.tokenColumns)
                """, Self.token
            ) ?? { throw StoreError.notFound(resource: "user") }()
        try await audit(
            .tokenCreated, targetType: "token", targetID: token.id.rawValue,
            details: ["scopes": .array(scopeNames.map(JSONValue.string)), "expires_in_days": .number(Double(days))])
        return IssuedAPIToken(token: token, value: value)
    }

    public func tokens(_ request: PageRequest) async throws -> Page<APIToken> {
        try await listing(Self.tokenColumns, from: "api_tokens", where: [("user_id", userID.rawValue)], request, Self.token)
    }

    /// Revokes a token; it stops working at once. Revoking a revoked token changes and records nothing, and
    /// answers false.
    @discardableResult
    public func revokeToken(_ id: TokenID) async throws -> Bool {
        let revoked = try await rows(
            """
            UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
             WHERE id = \(id) AND user_id = \(userID.rawValue)
            RETURNING revoked_at = now()
            """, { try $0.decode(Bool.self) })
        guard let newlyRevoked = revoked.first else { throw StoreError.notFound(resource: "token") }
        if newlyRevoked { try await audit(.tokenRevoked, targetType: "token", targetID: id.rawValue) }
        return newlyRevoked
    }

    /// Records that the tenant's data was exported; the export itself reads a read-only snapshot, so the
    /// entry is written by a transaction of its own.
    public func recordAccountExport() async throws {
        try await audit(.accountExported, targetType: "user", targetID: userID.rawValue)
    }
}
