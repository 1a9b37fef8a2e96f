import AgentStore
import Foundation
import Hummingbird

/// A page of search results (``CursorPageBody``): ranked hits have no id order to page by.
typealias SearchResultsBody = CursorPageBody<SearchHitBody>

extension CursorPageBody<SearchHitBody> {
    init(_ page: SearchPage) {
        self.init(data: page.hits.map(SearchHitBody.init), hasMore: page.hasMore, nextCursor: page.nextCursor?.token)
    }
}

/// One hit. Its snippet is plain text in parts, never markup: the client escapes it.
struct SearchHitBody: Encodable, Sendable {
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
