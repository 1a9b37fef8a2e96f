import AgentStore
import Foundation
import Hummingbird

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
