import AgentStore
import Hummingbird

/// One page of `GET /v1/conversations`: `{"data": [{"agent_name": ..., "conversation": ...}], "has_more": ...,
/// "next_cursor": ...}`, the tenant's conversations with every agent, most recently active first.
struct RecentConversationsBody: ResponseEncodable, Sendable {
    let data: [Item]
    let hasMore: Bool
    let nextCursor: String?

    /// A conversation and the name of the agent it is held with.
    struct Item: Encodable, Sendable {
        let agentName: String
        let conversation: ConversationBody

        private enum CodingKeys: String, CodingKey {
            case agentName = "agent_name"
            case conversation
        }
    }

    init(_ conversations: [RecentConversation], hasMore: Bool) {
        data = conversations.map { Item(agentName: $0.agentName, conversation: ConversationBody($0.conversation)) }
        self.hasMore = hasMore
        nextCursor =
            hasMore
            ? conversations.last.map {
                ConversationCursor(agentID: $0.conversation.agentID, conversationID: $0.conversation.id).token
            } : nil
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
