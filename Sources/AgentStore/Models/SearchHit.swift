import Foundation

/// One result of a search: a message whose content matches, or a conversation whose title does.
public struct SearchHit: Sendable, Equatable {
    /// What matched.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// A message's content.
        case message
        /// A conversation's title.
        case conversation
    }

    public let kind: Kind
    public let agentID: AgentID
    public let conversationID: ConversationID
    /// The conversation's title; nil while it has none.
    public let conversationTitle: String?
    /// The message, for a hit of kind `message`; nil for a conversation.
    public let messageID: MessageID?
    /// The message's role, for a hit of kind `message`.
    public let role: Message.Role?
    /// The message's time, or the conversation's creation.
    public let createdAt: Date
    /// PostgreSQL's `ts_rank`, normalised by the text's length: higher is better. Comparable within one
    /// search only.
    public let rank: Float
    /// The matching text around the match, the matched words highlighted: from the message's content or
    /// the conversation's title.
    public let snippet: [SnippetPart]
}

extension SearchHit {
    /// The keyset position of this hit in its search, as a cursor for the page after it.
    func cursor(for query: SearchQuery) -> SearchCursor {
        SearchCursor(
            fingerprint: query.fingerprint, rank: rank, kind: kind, agentID: agentID.rawValue,
            itemID: messageID?.rawValue ?? conversationID.rawValue)
    }
}
