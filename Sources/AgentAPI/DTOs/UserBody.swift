import AgentStore
import Foundation
import Hummingbird

/// The body of `PATCH /v1/me`: absent fields stay; `null` clears the display name and is refused for the email.
struct UpdateUserBody: APIRequestBody {
    let changes: UserChanges

    enum CodingKeys: String, CodingKey, CaseIterable {
        case email
        case displayName = "display_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        changes = UserChanges(
            email: try container.decodeRequiredPatch(String.self, forKey: .email),
            displayName: try container.decodePatch(String.self, forKey: .displayName))
    }
}

/// A user as the API shows it.
struct UserBody: ResponseEncodable, Sendable {
    let id: String
    let email: String
    @Nullable var displayName: String?
    let createdAt: Date
    let updatedAt: Date

    init(_ user: User) {
        id = user.id.rawValue
        email = user.email
        displayName = user.displayName
        createdAt = user.createdAt
        updatedAt = user.updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, email
        case displayName = "display_name"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
