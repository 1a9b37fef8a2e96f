import Foundation

/// A personal API token as listed: never its value, which exists only when it is created.
public struct APIToken: Sendable, Equatable {
    public let id: TokenID
    public let name: String
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?
    /// `nil` only for tokens issued before tokens expired.
    public let expiresAt: Date?
    /// In order: read, write, admin.
    public let scopes: [TokenScope]
}

/// A token just created: the only moment its value is known.
public struct IssuedAPIToken: Sendable {
    public let token: APIToken
    public let value: String
}

/// A personal token found valid: its user and what it may do.
public struct AuthenticatedToken: Sendable, Equatable {
    public let userID: UserID
    public let scopes: Set<TokenScope>

    public init(userID: UserID, scopes: Set<TokenScope>) {
        self.userID = userID
        self.scopes = scopes
    }
}
