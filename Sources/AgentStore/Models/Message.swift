import Foundation

/// One message of a conversation with an agent.
public struct Message: Sendable, Equatable {
    /// The characters a message's content holds at most, counted as PostgreSQL counts them (Unicode
    /// scalars): the column's CHECK.
    public static let maximumContentLength = 1_000_000

    /// The content a page of messages holds at most, give or take its last message: a page stops early
    /// past it (always holding one message) and says it has more. 100 messages of 1 MB each would
    /// otherwise be 100 MB in memory, several times over, for one request.
    public static let pageContentBytes = 4 * 1024 * 1024

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
    /// The message this one answers or follows; nil for a conversation's first message and for messages
    /// stored before messages had parents.
    public let parentID: MessageID?
    /// A first message edited and sent again (`root`): it follows nothing, as its parent says, where a
    /// message stored without a parent otherwise follows the one before it.
    public let startsAnew: Bool
    public let status: Status
    /// How a reply was generated; nil for messages nobody generated.
    public let generation: Generation?
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
        try Field.text(content, .content, length: 0...Message.maximumContentLength)
    }
}

/// A conversation with an agent, summarised by its latest message and its size.
public struct Conversation: Sendable, Equatable {
    public let id: ConversationID
    public let agentID: AgentID
    /// Given when the conversation was created, or taken from its first message.
    public let title: String?
    public let messageCount: Int
    public let createdAt: Date
    public let firstMessageAt: Date?
    /// The latest message's time; the creation time while there is none.
    public let lastMessageAt: Date
    public let lastMessage: Message?
}

/// What it takes to start a conversation before its first message.
public struct NewConversation: Sendable {
    /// A client-chosen id (the original design's); by default the database generates one.
    public var id: ConversationID?
    public var title: String?

    public init(id: ConversationID? = nil, title: String? = nil) {
        self.id = id
        self.title = title
    }

    /// A conversation as a client asks for it, its id (when it names one) and title checked together:
    /// every fault named at once.
    public init(requestedID: String?, title: String?) throws(StoreError) {
        var checks = FieldChecks()
        var id: ConversationID?
        try checks.check { () throws(StoreError) in
            guard let requestedID else { return }
            id = try ConversationID(rawValue: requestedID).unwrapped(
                or: .invalid(field: .id, reason: ConversationID.rule))
        }
        self.init(id: id, title: title)
        try checks.check { () throws(StoreError) in try self.validate() }
        try checks.finish()
    }

    /// The longest title, in code points as PostgreSQL counts them.
    static let maximumTitleLength = 200

    func validate() throws(StoreError) {
        try Field.optionalLabel(title, .title, length: 1...Self.maximumTitleLength)
    }

    /// The title a conversation takes from a message: its first line, at most 60 characters and at most
    /// ``maximumTitleLength`` code points (one character may be many: a family emoji is seven), a line
    /// cut short ending with "…"; empty for a blank line.
    static func title(from content: String) -> String {
        let firstLine = content.split(whereSeparator: \.isNewline).first.map(String.init) ?? content
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 60 || trimmed.unicodeScalars.count > maximumTitleLength else { return trimmed }
        var title = ""
        var length = 1  // the ellipsis
        for character in trimmed.prefix(59) {
            length += character.unicodeScalars.count
            guard length <= maximumTitleLength else { break }
            title.append(character)
        }
        return title + "…"
    }
}
