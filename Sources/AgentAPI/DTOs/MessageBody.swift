import AgentStore
import Foundation
import Hummingbird

/// A message as the API shows it.
struct MessageBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let agentID: String
    let conversationID: String
    let userID: String
    let role: String
    let content: String
    @Nullable var metadata: JSONValue?
    let createdAt: Date

    init(_ message: Message) {
        id = message.id.rawValue
        agentID = message.agentID.rawValue
        conversationID = message.conversationID.rawValue
        userID = message.userID.rawValue
        role = message.role.rawValue
        content = message.content
        metadata = message.metadata
        createdAt = message.createdAt
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case agentID = "agent_id"
        case conversationID = "conversation_id"
        case userID = "user_id"
        case role, content, metadata
        case createdAt = "created_at"
    }
}

/// The body of `POST .../conversations/{conversation_id}/messages`.
struct CreateMessageBody: APIRequestBody {
    let role: String
    let content: String
    let metadata: JSONValue?

    enum CodingKeys: String, CodingKey, CaseIterable { case role, content, metadata }

    /// The message to append; an unknown role is an invalid value (422), not a malformed body.
    func newMessage() throws -> NewMessage {
        guard let role = Message.Role(rawValue: role) else {
            throw Problem.invalid(
                field: "role", reason: "must be one of \(Message.Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return NewMessage(role: role, content: content, metadata: metadata)
    }
}

/// A conversation as the API shows it: its size, its span and its latest message.
struct ConversationBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let agentID: String
    let messageCount: Int
    let firstMessageAt: Date
    let lastMessageAt: Date
    let lastMessage: MessageBody

    init(_ conversation: Conversation) {
        id = conversation.id.rawValue
        agentID = conversation.agentID.rawValue
        messageCount = conversation.messageCount
        firstMessageAt = conversation.firstMessageAt
        lastMessageAt = conversation.lastMessageAt
        lastMessage = MessageBody(conversation.lastMessage)
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case agentID = "agent_id"
        case messageCount = "message_count"
        case firstMessageAt = "first_message_at"
        case lastMessageAt = "last_message_at"
        case lastMessage = "last_message"
    }
}
