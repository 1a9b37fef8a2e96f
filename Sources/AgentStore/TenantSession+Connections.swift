import AgentSecrets
import Foundation
import PostgresNIO

extension TenantSession {
    static let connectionColumns = """
        id, user_id, name, service, api_key_hint, api_key_fingerprint, metadata::text, created_at, updated_at
        """

    static func connection(from row: PostgresRow) throws -> APIConnection {
        let (id, userID, name, service, hint, fingerprint, metadata, createdAt, updatedAt) =
            try row.decode((String, String, String, String, String, String, String?, Date, Date).self)
        return APIConnection(
            id: ConnectionID(stored: id), userID: UserID(stored: userID), name: name, service: service, apiKeyHint: hint,
            apiKeyFingerprint: fingerprint, metadata: try metadata.map(JSONValue.init(storedText:)),
            createdAt: createdAt, updatedAt: updatedAt)
    }

    // MARK: Operations

    /// Creates a connection; the key is sealed to this tenant and this row before it is stored.
    public func createConnection(_ new: NewAPIConnection) async throws -> APIConnection {
        try new.validate()
        let metadata = try new.metadata?.storedText(field: .metadata)
        let id = ConnectionID(stored: TimeOrderedID.make())
        let sealed = try seal(new.apiKey, connectionID: id)
        let hint = APIKeyHint(apiKey: new.apiKey)
        let connection =
            try await row(
                """
                INSERT INTO api_connections (id, user_id, name, service, api_key, api_key_hint, api_key_fingerprint, metadata)
                VALUES (\(id), \(userID.rawValue), \(new.name), \(new.service), \(sealed.value), \(hint.display),
                        \(sealed.fingerprint), \(metadata)::jsonb)
                RETURNING \(unescaped: Self.connectionColumns)
                """, Self.connection
            ) ?? { throw StoreError.notFound(resource: "user") }()
        try await audit(.connectionCreated, targetType: "connection", targetID: id.rawValue)
        return connection
    }

    public func connection(_ id: ConnectionID) async throws -> APIConnection {
        try await row(
            "SELECT \(unescaped: Self.connectionColumns) FROM api_connections WHERE id = \(id) AND user_id = \(userID.rawValue)",
            Self.connection
        ) ?? { throw StoreError.notFound(resource: "connection") }()
    }

    /// The names of the tenant's connections among `ids` (the ones that answered a page's replies); one
    /// deleted since, or another tenant's, has none.
    public func connectionNames(_ ids: [ConnectionID]) async throws -> [ConnectionID: String] {
        guard !ids.isEmpty else { return [:] }
        let named = try await rows(
            "SELECT id, name FROM api_connections WHERE id = ANY(\(ids.map(\.rawValue))) AND user_id = \(userID.rawValue)"
        ) { try $0.decode((String, String).self) }
        return Dictionary(named.map { (ConnectionID(stored: $0.0), $0.1) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tenant's connections, newest first by default.
    public func connections(_ request: PageRequest) async throws -> Page<APIConnection> {
        try await listing(
            Self.connectionColumns, from: "api_connections", where: [("user_id", userID.rawValue)], request, Self.connection)
    }

    /// Applies `changes`. With `checked`, the connection as read when the changes were checked (a chat
    /// connection's base URL against the SSRF guard): the update applies only if its service and metadata are
    /// still those, else `StoreError.conflict`, so that two concurrent updates cannot combine a service and a
    /// base URL that neither checked.
    public func updateConnection(
        _ id: ConnectionID, _ changes: APIConnectionChanges, checked: APIConnection? = nil
    ) async throws -> APIConnection {
        try changes.validate()
        guard !changes.isEmpty else { return try await connection(id) }
        if changes.apiKey == nil, changes.service != nil || changes.metadata != nil {
            // Where a key goes is as good as the key: sent somewhere new, it is read by whoever is there. So a
            // token that may write but never read keys cannot move a stored one; the change brings its key.
            let stored: APIConnection
            if let checked { stored = checked } else { stored = try await connection(id) }
            if changes.movesKey(from: stored) {
                throw StoreError.invalid(
                    field: .apiKey,
                    reason: "is required when service or metadata.base_url changes: a stored key is never sent somewhere new")
            }
        }
        var sql = SQLStatement("UPDATE api_connections SET updated_at = now()")
        if let name = changes.name { sql.append(", name = \(sql.bind(name))") }
        if let service = changes.service { sql.append(", service = \(sql.bind(service))") }
        if let metadata = changes.metadata {
            sql.append(", metadata = \(sql.bind(try metadata?.storedText(field: .metadata)))::jsonb")
        }
        if let apiKey = changes.apiKey {
            // A new key gets a new hint and fingerprint in the same statement, so they never describe another key.
            let hint = APIKeyHint(apiKey: apiKey)
            let sealed = try seal(apiKey, connectionID: id)
            sql.append(", api_key = \(sql.bind(sealed.value))")
            sql.append(", api_key_hint = \(sql.bind(hint.display)), api_key_fingerprint = \(sql.bind(sealed.fingerprint))")
        }
        sql.append(" WHERE id = \(sql.bind(id)) AND user_id = \(sql.bind(userID.rawValue))")
        if let checked {
            sql.append(" AND service = \(sql.bind(checked.service))")
            let metadata = try checked.metadata?.storedText(field: .metadata)
            sql.append(" AND metadata IS NOT DISTINCT FROM \(sql.bind(metadata))::jsonb")
        }
        sql.append(" RETURNING \(Self.connectionColumns)")
        guard let connection = try await row(sql.query, Self.connection) else {
            guard checked != nil else { throw StoreError.notFound(resource: "connection") }
            _ = try await self.connection(id)  // not found, or changed meanwhile:
            throw StoreError.conflict(
                field: .metadata,
                reason: "the connection's service or base URL changed while this update was checked; try again")
        }
        // Which fields changed, never their values: a tenant tells a key replaced from a rename.
        let fields =
            (changes.name == nil ? [] : ["name"]) + (changes.service == nil ? [] : ["service"])
            + (changes.metadata == nil ? [] : ["metadata"]) + (changes.apiKey == nil ? [] : ["api_key"])
        try await audit(
            .connectionUpdated, targetType: "connection", targetID: id.rawValue,
            details: ["fields": .array(fields.map { .string($0) })])
        return connection
    }

    public func deleteConnection(_ id: ConnectionID) async throws {
        let deleted = try await affectedRows(
            "DELETE FROM api_connections WHERE id = \(id) AND user_id = \(userID.rawValue) RETURNING id")
        guard deleted > 0 else { throw StoreError.notFound(resource: "connection") }
        try await audit(.connectionDeleted, targetType: "connection", targetID: id.rawValue)
    }

    /// Opens a connection's API key for one provider call, recording the opening and its purpose (and the
    /// reply it serves) in the audit log. The caller holds the `Secret` for that call alone.
    ///
    /// A stored key that does not open (sealed under a key the keyring lacks, or moved) is recorded as
    /// `connection.open_failed` and returned as the failure, so that the transaction commits the entry: the
    /// log says an opening was tried and failed, where a start's statement may already have recorded it as
    /// opened.
    public func openAPIKey(
        _ connectionID: ConnectionID, purpose: KeyPurpose, messageID: MessageID?
    ) async throws -> Result<Secret, StoreError> {
        guard keyring != nil else { throw StoreError.unavailable(reason: "no encryption key is configured") }
        let stored =
            try await row(
                "SELECT api_key FROM api_connections WHERE id = \(connectionID) AND user_id = \(userID.rawValue)"
            ) { try $0.decode(String.self) } ?? { throw StoreError.notFound(resource: "connection") }()
        let details: [String: JSONValue] = [
            "purpose": .string(purpose.rawValue), "message_id": messageID.map { .string($0.rawValue) } ?? .null,
        ]
        let secret: Secret
        do {
            secret = try openSealedKey(stored, of: connectionID)
        } catch let failure as StoreError {
            try await audit(.connectionOpenFailed, targetType: "connection", targetID: connectionID.rawValue, details: details)
            return .failure(failure)
        }
        try await audit(.connectionOpened, targetType: "connection", targetID: connectionID.rawValue, details: details)
        return .success(secret)
    }

    /// The plaintext of a key as stored for `connectionID` (sealed under its tenant and connection).
    func openSealedKey(_ stored: String, of connectionID: ConnectionID) throws -> Secret {
        try Self.openSealedKey(stored, of: connectionID, tenant: userID, keyring: keyring)
    }

    /// `openSealedKey(_:of:)` for a statement that ran outside a session.
    static func openSealedKey(_ stored: String, of connectionID: ConnectionID, tenant: UserID, keyring: Keyring?) throws -> Secret
    {
        guard let keyring else { throw StoreError.unavailable(reason: "no encryption key is configured") }
        do {
            return try keyring.open(stored, context: SealContext(tenantID: tenant.rawValue, connectionID: connectionID.rawValue))
        } catch {
            throw StoreError.unavailable(reason: "the API key of connection \(connectionID) cannot be opened: \(error)")
        }
    }

    /// The key sealed for this row, and its fingerprint under the same (active) key, as rotation expects.
    private func seal(_ apiKey: String, connectionID: ConnectionID) throws -> (value: String, fingerprint: String) {
        guard let keyring else { throw StoreError.unavailable(reason: "no encryption key is configured") }
        let value = try keyring.seal(
            apiKey, context: SealContext(tenantID: userID.rawValue, connectionID: connectionID.rawValue))
        return (value, keyring.fingerprint(ofAPIKey: apiKey))
    }
}
