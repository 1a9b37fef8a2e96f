import AgentStore
import Foundation
import Hummingbird

/// A conversation's thread as the API shows it (`getThread`): its messages oldest first, each with the
/// message it follows and its versions, and whether the thread goes on before the first.
struct ThreadBody: ResponseEncodable, Sendable {
    let data: [Item]
    let hasEarlier: Bool

    init(_ thread: ConversationThread) {
        data = thread.messages.map(Item.init)
        hasEarlier = thread.hasEarlier
    }

    struct Item: Encodable, Sendable {
        let message: MessageBody
        @Nullable var follows: String?
        let versions: Versions

        init(_ item: ThreadMessage) {
            message = MessageBody(item.message)
            follows = item.follows?.rawValue
            versions = Versions(item.versions)
        }
    }

    /// The message's versions (it, and the messages that follow the same message), oldest first.
    struct Versions: Encodable, Sendable {
        let count: Int
        let position: Int
        @Nullable var previous: String?
        @Nullable var next: String?

        init(_ versions: MessageVersions) {
            count = versions.count
            position = versions.position
            previous = versions.previous?.rawValue
            next = versions.next?.rawValue
        }
    }

    private enum CodingKeys: String, CodingKey {
        case data
        case hasEarlier = "has_earlier"
    }
}
