/// Where a page of the tenant's recent conversations ends: the last conversation listed, by its agent and
/// id (a conversation's id is unique only within its agent). The page after it starts where that
/// conversation stands now, as the other listings' cursors do.
///
/// Opaque to clients, as a token (``CursorToken``).
public struct ConversationCursor: Sendable, Equatable {
    public let agentID: AgentID
    public let conversationID: ConversationID

    public init(agentID: AgentID, conversationID: ConversationID) {
        self.agentID = agentID
        self.conversationID = conversationID
    }

    private struct Token: Codable {
        let a: String
        let c: String
    }

    /// The longest token a cursor may be.
    public static let maximumTokenLength = CursorToken.maximumLength

    /// The cursor a token spells; nil for anything that is not such a token.
    public init?(token: String) {
        guard let decoded = CursorToken.decode(token, as: Token.self), let agentID = AgentID(rawValue: decoded.a),
            let conversationID = ConversationID(rawValue: decoded.c)
        else { return nil }
        self.init(agentID: agentID, conversationID: conversationID)
    }

    /// The cursor as a token for a query string: unpadded base64url.
    public var token: String { CursorToken.encode(Token(a: agentID.rawValue, c: conversationID.rawValue)) }
}
