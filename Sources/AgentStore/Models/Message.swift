import Foundation

/// One message of a conversation with an agent.
public struct Message: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable, Codable {
        case user, assistant, system, tool
    }

    public let id: MessageID
    public let agentID: AgentID
    public let conversationID: ConversationID
    /// The author.
    public let userID: UserID
    public let role: Role
    public let content: String
    public let metadata: JSONValue?
    public let createdAt: Date
}

/// What it takes to append a message to a conversation.
public struct NewMessage: Sendable {
    public var role: Message.Role
    public var content: String
    public var metadata: JSONValue?

    public init(role: Message.Role, content: String, metadata: JSONValue? = nil) {
        self.role = role
        self.content = content
        self.metadata = metadata
    }

    func validate() throws(StoreError) {
        try Field.text(content, .content, length: 0...1_000_000)
    }
}

/// A conversation with an agent, summarised by its latest message and its size.
public struct Conversation: Sendable, Equatable {
    public let id: ConversationID
    public let agentID: AgentID
    public let messageCount: Int
    public let firstMessageAt: Date
    public let lastMessageAt: Date
    public let lastMessage: Message
}
