import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// A message as the API shows it. A reply (an assistant message) also says how it was generated.
struct MessageBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let agentID: String
    let conversationID: String
    let userID: String
    let role: String
    /// Stored; a running reply's body may show its text so far instead.
    var content: String
    @Nullable var metadata: JSONValue?
    let createdAt: Date
    @Nullable var parentID: String?
    /// Present, and true, only on a first message edited and sent again.
    let startsAnew: Bool?
    let status: String
    // A reply's generation: absent on messages nobody generated.
    let model: String?
    let connectionID: String?
    let usage: UsageBody?
    let latencyMilliseconds: Int?
    let timeToFirstTokenMilliseconds: Int?
    let finishReason: String?
    let error: String?
    /// A failed reply's problem in a sentence: the words it failed with when this body tells that moment,
    /// else those its stored type is told with.
    let errorDetail: String?

    /// Token counts; `estimated` when the provider reported none and they were derived from the text.
    struct UsageBody: Encodable, Sendable {
        let promptTokens: Int
        let completionTokens: Int
        let totalTokens: Int
        let estimated: Bool

        init(_ usage: MessageUsage) {
            promptTokens = usage.promptTokens
            completionTokens = usage.completionTokens
            totalTokens = usage.totalTokens
            estimated = usage.estimated
        }

        private enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
            case estimated
        }
    }

    init(_ message: Message) {
        self.init(message, failure: nil)
    }

    /// - Parameter failure: how the reply failed, when this body tells the moment it did (its words can say
    ///   more than the stored problem type).
    init(_ message: Message, failure: ReplyFailure?) {
        id = message.id.rawValue
        agentID = message.agentID.rawValue
        conversationID = message.conversationID.rawValue
        userID = message.userID.rawValue
        role = message.role.rawValue
        content = message.content
        metadata = message.metadata
        createdAt = message.createdAt
        parentID = message.parentID?.rawValue
        startsAnew = message.startsAnew ? true : nil
        status = message.status.rawValue
        let generation = message.generation
        model = generation?.model
        connectionID = generation?.connectionID?.rawValue
        usage = generation?.usage.map(UsageBody.init)
        latencyMilliseconds = generation?.latencyMilliseconds
        timeToFirstTokenMilliseconds = generation?.timeToFirstTokenMilliseconds
        finishReason = generation?.finishReason
        error = generation?.error.map { Problem.typeBase + $0 }
        errorDetail = generation?.error.map { slug in
            failure.flatMap { $0.slug == slug ? $0.detail : nil } ?? ReplyFailure(storedSlug: slug, of: message.status).detail
        }
    }

    enum CodingKeys: String, CodingKey {
        case id
        case agentID = "agent_id"
        case conversationID = "conversation_id"
        case userID = "user_id"
        case role, content, metadata
        case createdAt = "created_at"
        case parentID = "parent_id"
        case startsAnew = "starts_anew"
        case status, model
        case connectionID = "connection_id"
        case usage
        case latencyMilliseconds = "latency_ms"
        case timeToFirstTokenMilliseconds = "time_to_first_token_ms"
        case finishReason = "finish_reason"
        case error
        case errorDetail = "error_detail"
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

/// A conversation as the API shows it: its title, size, span and latest message.
struct ConversationBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let agentID: String
    @Nullable var title: String?
    let messageCount: Int
    let createdAt: Date
    @Nullable var firstMessageAt: Date?
    let lastMessageAt: Date
    @Nullable var lastMessage: MessageBody?

    init(_ conversation: Conversation) {
        id = conversation.id.rawValue
        agentID = conversation.agentID.rawValue
        title = conversation.title
        messageCount = conversation.messageCount
        createdAt = conversation.createdAt
        firstMessageAt = conversation.firstMessageAt
        lastMessageAt = conversation.lastMessageAt
        lastMessage = conversation.lastMessage.map(MessageBody.init)
    }

    private enum CodingKeys: String, CodingKey {
        case id
        case agentID = "agent_id"
        case title
        case messageCount = "message_count"
        case createdAt = "created_at"
        case firstMessageAt = "first_message_at"
        case lastMessageAt = "last_message_at"
        case lastMessage = "last_message"
    }
}

/// The body of `POST /v1/agents/{agent_id}/conversations`.
struct CreateConversationBody: APIRequestBody {
    let id: String?
    let title: String?

    enum CodingKeys: String, CodingKey, CaseIterable { case id, title }
}

/// The body of `PATCH .../conversations/{conversation_id}`: a new title.
struct UpdateConversationBody: APIRequestBody {
    let title: String

    enum CodingKeys: String, CodingKey, CaseIterable { case title }
}

/// The body of `POST .../conversations/{conversation_id}/replies`.
struct CreateReplyBody: APIRequestBody {
    let content: String
    let stream: Bool?
    let parentID: String?
    /// A new first message, beside the conversation's first (that one edited and sent again).
    let startsAnew: Bool?
    /// The parent must still be the last message of its thread (``NewReply/parentMustBeLast``).
    let ifLast: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case content, stream
        case parentID = "parent_id"
        case startsAnew = "starts_anew"
        case ifLast = "if_last"
    }
}

/// The answer of a reply that was not streamed: the user's message and the reply to it.
struct ExchangeBody: ResponseEncodable, Sendable {
    @Nullable var message: MessageBody?
    let reply: MessageBody
}
