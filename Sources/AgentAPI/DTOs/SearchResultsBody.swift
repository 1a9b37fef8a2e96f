import AgentStore
import Foundation
import Hummingbird

/// A page of search results: `{"data": [...], "has_more": ..., "next_cursor": ...}`. Ranked hits have no
/// id order to page by, so the page names an opaque cursor instead of `first_id` and `last_id`.
struct SearchResultsBody: ResponseEncodable, Sendable {
    let data: [Hit]
    let hasMore: Bool
    let nextCursor: String?

    /// One hit. Its snippet is plain text in parts, never markup: the client escapes it.
    struct Hit: Encodable, Sendable {
        let kind: String
        let agentID: String
        let conversationID: String
        @Nullable var conversationTitle: String?
        @Nullable var messageID: String?
        @Nullable var role: String?
        let createdAt: Date
        let rank: Float
        let snippet: [SnippetPart]

        init(_ hit: SearchHit) {
            kind = hit.kind.rawValue
            agentID = hit.agentID.rawValue
            conversationID = hit.conversationID.rawValue
            conversationTitle = hit.conversationTitle
            messageID = hit.messageID?.rawValue
            role = hit.role?.rawValue
            createdAt = hit.createdAt
            rank = hit.rank
            snippet = hit.snippet
        }

        private enum CodingKeys: String, CodingKey {
            case kind
            case agentID = "agent_id"
            case conversationID = "conversation_id"
            case conversationTitle = "conversation_title"
            case messageID = "message_id"
            case role
            case createdAt = "created_at"
            case rank, snippet
        }
    }

    init(_ page: SearchPage) {
        data = page.hits.map(Hit.init)
        hasMore = page.hasMore
        nextCursor = page.nextCursor?.token
    }

    private enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case nextCursor = "next_cursor"
    }

    /// Encodes a nil cursor as `null`, so every page has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
