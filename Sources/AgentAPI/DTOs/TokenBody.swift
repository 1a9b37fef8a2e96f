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

    init(_ token: APIToken) {
        id = token.id.rawValue
        name = token.name
        createdAt = token.createdAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, name
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
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

    enum CodingKeys: String, CodingKey, CaseIterable { case name }
}
