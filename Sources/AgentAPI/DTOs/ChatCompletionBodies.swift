import AgentProviders
import AgentStore
import Foundation
import Hummingbird

// The OpenAI Chat Completions wire format, as the OpenAI-compatible endpoint reads and writes it. Requests
// are read leniently (clients send fields this endpoint does not use); responses are exact.

/// The body of `POST /v1/chat/completions`, the fields this endpoint uses.
struct ChatCompletionRequest: Decodable, Sendable {
    let model: String
    let messages: [Turn]
    let stream: Bool?
    let streamOptions: StreamOptions?
    let maxTokens: Int?
    let maxCompletionTokens: Int?
    let metadata: [String: String]?

    struct Turn: Decodable, Sendable {
        let role: String
        let content: Content?
    }

    /// A turn's content: a string, or a list of parts of which the text parts count.
    struct Content: Decodable, Sendable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                let parts = try container.decode([Part].self)
                text = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined()
            }
        }

        struct Part: Decodable, Sendable {
            let type: String
            let text: String?
        }
    }

    struct StreamOptions: Decodable, Sendable {
        let includeUsage: Bool?

        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, metadata
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    /// The agent the `model` names (`agent:<id>`).
    func agentID() throws -> AgentID {
        guard model.hasPrefix(Self.modelPrefix), let id = AgentID(rawValue: String(model.dropFirst(Self.modelPrefix.count)))
        else { throw OpenAIError.invalidModel }
        return id
    }

    static let modelPrefix = "agent:"

    /// The conversation the client sent; the agent's system prompt is put before it by the platform.
    func conversation() throws -> [ChatMessage] {
        let turns = try messages.compactMap { turn -> ChatMessage? in
            let text = turn.content?.text ?? ""
            switch turn.role {
            case "system", "developer": return ChatMessage(role: .system, content: text)
            case "user": return ChatMessage(role: .user, content: text)
            case "assistant": return ChatMessage(role: .assistant, content: text)
            case "tool", "function": return nil
            default:
                throw OpenAIError.invalidRequest(
                    "messages[].role must be system, developer, user or assistant", param: "messages")
            }
        }
        guard turns.contains(where: { $0.role == .user }) else {
            throw OpenAIError.invalidRequest("messages must contain a user message", param: "messages")
        }
        return turns
    }

    /// The `max_tokens` (or `max_completion_tokens`) asked for, at least 1; a request may only lower the
    /// agent's.
    func requestedMaximumTokens() throws -> Int? {
        guard let requested = maxCompletionTokens ?? maxTokens else { return nil }
        guard requested >= 1 else {
            let field = maxCompletionTokens == nil ? "max_tokens" : "max_completion_tokens"
            throw OpenAIError.invalidRequest("\(field) must be at least 1", param: field)
        }
        return requested
    }
}

/// `chat.completion`: a whole answer.
struct ChatCompletionBody: Encodable, Sendable {
    let id: String
    let object = "chat.completion"
    let created: Int
    let model: String
    let choices: [Choice]
    let usage: UsageBody

    struct Choice: Encodable, Sendable {
        let index = 0
        let message: Message
        let finishReason: String

        struct Message: Encodable, Sendable {
            let role = "assistant"
            let content: String
        }

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }
}

/// `chat.completion.chunk`: one piece of a streamed answer.
struct ChatCompletionChunkBody: Encodable, Sendable {
    let id: String
    let object = "chat.completion.chunk"
    let created: Int
    let model: String
    let choices: [Choice]
    @Nullable var usage: UsageBody?

    struct Choice: Encodable, Sendable {
        let index = 0
        let delta: Delta
        @Nullable var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }
    }

    struct Delta: Encodable, Sendable {
        let role: String?
        let content: String?
    }
}

/// Token counts in OpenAI's shape.
struct UsageBody: Encodable, Sendable {
    let promptTokens: Int
    let completionTokens: Int
    let totalTokens: Int

    init(_ usage: MessageUsage) {
        promptTokens = usage.promptTokens
        completionTokens = usage.completionTokens
        totalTokens = usage.totalTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// `GET /v1/models`: the tenant's agents as models.
struct ModelListBody: ResponseEncodable, Sendable {
    let object = "list"
    let data: [Model]

    struct Model: Encodable, Sendable {
        let id: String
        let object = "model"
        let created: Int
        let ownedBy: String

        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }
}
