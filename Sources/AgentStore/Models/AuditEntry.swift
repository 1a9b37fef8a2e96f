import Foundation

/// One recorded sensitive operation. Entries are append-only.
public struct AuditEntry: Sendable, Equatable {
    public let id: String
    public let tenantID: UserID?
    public let actor: String
    public let action: String
    public let targetType: String
    public let targetID: String?
    public let requestID: String?
    public let createdAt: Date
    /// What the platform noted of the operation: a key opening's purpose and message, a deletion's count,
    /// a token's scopes; never a secret or a message's text.
    public let details: JSONValue?
}

extension AuditEntry {
    /// The actor an entry names for a tenant's own operations.
    public static func actor(_ user: UserID) -> String { "user:\(user.rawValue)" }

    /// The actor an entry names for an operator's command (`agentctl`).
    public static let operatorActor = "operator"
}

/// The operations the audit log records.
public enum AuditAction: String, Sendable, CaseIterable {
    case connectionCreated = "connection.created"
    case connectionUpdated = "connection.updated"
    case connectionDeleted = "connection.deleted"
    case connectionOpened = "connection.opened"
    /// A stored key that did not open (sealed under a key the keyring lacks, or moved to another row).
    case connectionOpenFailed = "connection.open_failed"
    case agentCreated = "agent.created"
    case agentUpdated = "agent.updated"
    case agentDeleted = "agent.deleted"
    case connectionLinked = "connection.linked"
    case connectionUnlinked = "connection.unlinked"
    /// The order an agent tries its connections in was set.
    case connectionsReordered = "connections.reordered"
    case conversationDeleted = "conversation.deleted"
    case userDeleted = "user.deleted"
    /// The user's email or name was corrected (the details name the fields, not their values).
    case userUpdated = "user.updated"
    case tokenCreated = "token.created"
    case tokenRevoked = "token.revoked"
    case accountExported = "account.exported"
    case keysRotated = "keys.rotated"
    case keysVerified = "keys.verified"
    case limitsChanged = "limits.changed"
    case repliesInterrupted = "replies.interrupted"
    case consoleSessionStarted = "console_session.started"
    case consoleSessionEnded = "console_session.ended"
}

/// Why a connection's key was opened, as its audit entry records.
public enum KeyPurpose: String, Sendable {
    /// A reply of an agent, stored in a conversation.
    case reply
    /// A call of the OpenAI-compatible endpoint.
    case completion
    /// A check that the key can be opened (tests, operators).
    case verification
    /// A listing of the models the key may use, which also tells whether the provider takes the key.
    case models
}
