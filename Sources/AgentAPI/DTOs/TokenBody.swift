import AgentStore
import Foundation
import Hummingbird

/// A personal API token as listed: never its value.
struct TokenBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let name: String
    let createdAt: Date
    @Nullable var lastUsedAt: Date?
    @Nullable var revokedAt: Date?
    @Nullable var expiresAt: Date?
    let scopes: [String]

    init(_ token: APIToken) {
        id = token.id.rawValue
        name = token.name
        createdAt = token.createdAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        expiresAt = token.expiresAt
        scopes = token.scopes.map(\.rawValue)
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, scopes
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case expiresAt = "expires_at"
    }
}

/// A token just created: the one response that carries its value.
struct IssuedTokenBody: ResponseEncodable, Sendable {
    let token: TokenBody
    let value: String

    private enum CodingKeys: String, CodingKey { case value = "token" }

    func encode(to encoder: any Encoder) throws {
        try token.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
    }
}

/// The optional body of `POST /v1/tokens`.
struct CreateTokenBody: APIRequestBody {
    let name: String?
    /// Days until the token expires; absent takes the operator's default.
    let expiresInDays: Int?
    /// Scope names; absent gives every scope.
    let scopes: [String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, scopes
        case expiresInDays = "expires_in_days"
    }

    /// The scopes named, each at most once; an unknown name is a 422 naming `scopes`.
    func tokenScopes() throws -> Set<TokenScope> {
        guard let scopes else { return TokenScope.all }
        var chosen = Set<TokenScope>()
        for name in scopes {
            guard let scope = TokenScope(rawValue: name) else {
                throw StoreError.invalid(field: .scopes, reason: "may hold only read, write and admin")
            }
            chosen.insert(scope)
        }
        return chosen
    }
}
