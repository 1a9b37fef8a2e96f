import Foundation
import PostgresNIO

extension AgentStore {
    /// Creates a user, inside that user's own tenant: the runtime role can only ever create itself.
    public func createUser(_ new: NewUser, requestID: String? = nil) async throws -> User {
        try new.validate()
        let id = new.id ?? UserID(stored: TimeOrderedID.make())
        return try await withTenant(id, requestID: requestID) { session in
            try await session.insertCurrentUser(email: new.email, displayName: new.displayName)
        }
    }
}

extension TenantSession {
    static let userColumns = "id, email, display_name, created_at, updated_at"

    static func user(from row: PostgresRow) throws -> User {
        let (id, email, displayName, createdAt, updatedAt) = try row.decode((String, String, String?, Date, Date).self)
        return User(id: UserID(stored: id), email: email, displayName: displayName, createdAt: createdAt, updatedAt: updatedAt)
    }

    func insertCurrentUser(email: String, displayName: String?) async throws -> User {
        try await row(
            """
            INSERT INTO users (id, email, display_name) VALUES (\(userID.rawValue), \(email), \(displayName))
            RETURNING \(unescaped: Self.userColumns)
            """, Self.user
        ) ?? { throw StoreError.notFound(resource: "user") }()
    }

    /// The tenant's own user.
    public func currentUser() async throws -> User {
        try await row(
            "SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(userID.rawValue)", Self.user
        ) ?? { throw StoreError.notFound(resource: "user") }()
    }

    /// The tenant's user if it exists (used to provision users on first sight).
    public func currentUserIfExists() async throws -> User? {
        try await row("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(userID.rawValue)", Self.user)
    }

    /// Creates the tenant's own user; for identities vouched for by an identity provider.
    public func createCurrentUser(email: String, displayName: String? = nil) async throws -> User {
        try NewUser(email: email, displayName: displayName).validate()
        return try await insertCurrentUser(email: email, displayName: displayName)
    }

    /// Corrects the tenant's email or name, audited as `user.updated` with the names of the fields changed
    /// (the log keeps no old email: what is corrected stays corrected). No change changes nothing.
    public func updateCurrentUser(_ changes: UserChanges) async throws -> User {
        try changes.validate()
        guard !changes.fieldNames.isEmpty else { return try await currentUser() }
        var sql = SQLStatement("UPDATE users SET ")
        var sets: [String] = []
        if let email = changes.email { sets.append("email = \(sql.bind(email))") }
        if let displayName = changes.displayName { sets.append("display_name = \(sql.bind(displayName))") }
        sql.append(sets.joined(separator: ", "))
        sql.append(" WHERE id = \(sql.bind(userID.rawValue)) RETURNING \(Self.userColumns)")
        let user = try await row(sql.query, Self.user).unwrapped(or: .notFound(resource: "user"))
        try await audit(
            .userUpdated, targetType: "user", targetID: userID.rawValue,
            details: ["fields": .array(changes.fieldNames.map { .string($0) })])
        return user
    }

    /// Deletes the tenant's user and, by cascade, everything of theirs. The audit entry outlives them.
    /// - Returns: the user's replies that were still streaming: their cancel is published with the commit
    ///   (see `publishCancel(of:)`), so that no provider call runs on with the deleted user's key.
    @discardableResult
    public func deleteCurrentUser() async throws -> [MessageID] {
        // Locked first, as an agent's deletion locks the agent: a reply starting meanwhile is waited for.
        _ = try await rows("SELECT 1 FROM users WHERE id = \(userID.rawValue) FOR UPDATE") { _ in () }
        let streaming = try await rows(
            """
            SELECT id FROM agent_messages
             WHERE owner_id = \(userID.rawValue) AND status = \(Message.Status.streaming.rawValue)
            """
        ) { MessageID(stored: try $0.decode(String.self)) }
        try await audit(.userDeleted, targetType: "user", targetID: userID.rawValue)
        let deleted = try await affectedRows("DELETE FROM users WHERE id = \(userID.rawValue) RETURNING id")
        guard deleted > 0 else { throw StoreError.notFound(resource: "user") }
        for reply in streaming { try await publishCancel(of: reply) }
        return streaming
    }
}
