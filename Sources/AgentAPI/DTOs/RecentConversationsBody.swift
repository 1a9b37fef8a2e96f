import AgentStore
import Hummingbird

/// One page of `GET /v1/conversations` (``CursorPageBody``): the tenant's conversations with every agent,
/// most recently active first, each with the name of the agent it is held with.
typealias RecentConversationsBody = CursorPageBody<RecentConversationBody>

extension CursorPageBody<RecentConversationBody> {
    init(_ page: Page<RecentConversation>) {
        let last = page.items.last.map {
            ConversationCursor(agentID: $0.conversation.agentID, conversationID: $0.conversation.id)
        }
        self.init(
            data: page.items.map {
                RecentConversationBody(agentName: $0.agentName, conversation: ConversationBody($0.conversation))
            },
            hasMore: page.hasMore, nextCursor: page.hasMore ? last?.token : nil)
    }
}

/// A conversation and the name of the agent it is held with.
struct RecentConversationBody: Encodable, Sendable {
    let agentName: String
    let conversation: ConversationBody

    private enum CodingKeys: String, CodingKey {
        case agentName = "agent_name"
        case conversation
    }
}
