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
    let maxTokens: WholeNumber?
    let maxCompletionTokens: WholeNumber?
    let metadata: [String: String]?
    let stop: Stop?
    // Read only to be refused when they ask for what an agent does not do (see `refuseUnsupportedOptions`).
    let n: WholeNumber?
    let logprobs: Bool?
    let responseFormat: ResponseFormat?
    let toolChoice: ToolChoice?

    struct Turn: Decodable, Sendable {
        let role: String
        let content: Content?
        /// The participant, among several of one role (a group chat's speakers, say).
        let name: String?

        /// OpenAI's rule for a participant's name; a name outside it fails the call at OpenAI itself.
        static func isValid(name: String) -> Bool {
            (1...64).contains(name.utf8.count)
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }

    /// A turn's content: a string, or a list of parts of which the text parts count.
    struct Content: Decodable, Sendable {
        let text: String
        /// The type of the first part that is neither text nor an assistant's refusal (an image, audio, a
        /// file), which no agent reads.
        let unreadablePart: String?
        /// A list of no parts: no content at all.
        let isEmptyList: Bool

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
                unreadablePart = nil
                isEmptyList = false
            } else {
                let parts = try container.decode([Part].self)
                isEmptyList = parts.isEmpty
                // A line between parts, as OpenAI-compatible servers' chat templates join them: joined as they
                // are, `["Question:", "What is..."]` would read `Question:What is...`.
                text = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined(separator: "\n")
                unreadablePart = parts.first { $0.type != "text" && $0.type != "refusal" }?.type
            }
        }

        struct Part: Decodable, Sendable {
            let type: String
            let text: String?
        }
    }

    /// An integer member as clients may send it: one beyond `Int`'s range stands at its bound, which no
    /// limit lets through (Foundation's decoder reports such a number as a body that is not JSON at all).
    struct WholeNumber: Decodable, Sendable {
        let value: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self.value = value
                return
            }
            guard let number = try? container.decode(Double.self), number.rounded() == number else {
                throw DecodingError.typeMismatch(
                    Int.self, .init(codingPath: decoder.codingPath, debugDescription: "not a whole number"))
            }
            value = number >= 0x1p63 ? .max : number < -0x1p63 ? .min : Int(number)
        }
    }

    struct StreamOptions: Decodable, Sendable {
        let includeUsage: Bool?

        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// `stop`: one sequence or a list of them.
    struct Stop: Decodable, Sendable {
        let sequences: [String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                sequences = [one]
            } else {
                sequences = try container.decode([String].self)
            }
        }
    }

    struct ResponseFormat: Decodable, Sendable {
        let type: String
    }

    /// `tool_choice`: `none`, `auto`, `required`, or an object naming one tool.
    struct ToolChoice: Decodable, Sendable {
        /// The string, or `function` for an object.
        let mode: String

        init(from decoder: any Decoder) throws {
            mode = (try? decoder.singleValueContainer().decode(String.self)) ?? "function"
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, metadata, stop, n, logprobs
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case responseFormat = "response_format"
        case toolChoice = "tool_choice"
    }

    /// OpenAI allows four.
    static let maximumStopSequences = 4

    /// Refuses, with the member named, what would otherwise be ignored and change the answer: more than one
    /// choice, log probabilities, a structured format, a forced tool call (an agent calls no tools; a
    /// request that merely offers tools gets text, as a model that chose none answers).
    func refuseUnsupportedOptions() throws {
        if let n = n?.value, n != 1 {
            throw OpenAIError.invalidRequest("n must be 1: an agent gives one answer per request", param: "n")
        }
        if logprobs == true {
            throw OpenAIError.invalidRequest("logprobs are not available through an agent", param: "logprobs")
        }
        if let format = responseFormat?.type, format != "text" {
            throw OpenAIError.invalidRequest(
                "response_format \(format) is not supported: an agent answers in text", param: "response_format")
        }
        if let mode = toolChoice?.mode, mode != "none", mode != "auto" {
            throw OpenAIError.invalidRequest(
                "tool_choice \(mode) is not supported: an agent calls no tools", param: "tool_choice")
        }
    }

    /// The stop sequences asked for: at most four, none of them empty.
    func stopSequences() throws -> [String] {
        let sequences = stop?.sequences ?? []
        guard sequences.count <= Self.maximumStopSequences else {
            throw OpenAIError.invalidRequest("stop takes at most \(Self.maximumStopSequences) sequences", param: "stop")
        }
        guard sequences.allSatisfy({ !$0.isEmpty }) else {
            throw OpenAIError.invalidRequest("stop sequences must not be empty", param: "stop")
        }
        return sequences
    }

    /// The agent the `model` names (`agent:<id>`).
    func agentID() throws -> AgentID {
        try Self.agentID(model: model)
    }

    /// The agent a model name (`agent:<agent id>`) names.
    static func agentID(model: String) throws -> AgentID {
        guard model.hasPrefix(modelPrefix), let id = AgentID(rawValue: String(model.dropFirst(modelPrefix.count))) else {
            throw OpenAIError.invalidModel
        }
        return id
    }

    static let modelPrefix = "agent:"

    /// The conversation the client sent; the agent's system prompt is put before it by the platform.
    func conversation() throws -> [ChatMessage] {
        let turns = try messages.enumerated().compactMap { index, turn -> ChatMessage? in
            if let part = turn.content?.unreadablePart, turn.role != "tool", turn.role != "function" {
                throw OpenAIError.invalidRequest(
                    "messages[\(index)].content holds a part of type \(part): an agent reads text parts only",
                    param: "messages[\(index)].content")
            }
            // A turn that asks or instructs must say something (OpenAI refuses one without content too); an
            // assistant's may be null, as one that called tools is.
            if turn.content == nil || turn.content?.isEmptyList == true, ["system", "developer", "user"].contains(turn.role) {
                throw OpenAIError.invalidRequest(
                    "messages[\(index)].content is required for a \(turn.role) message", param: "messages[\(index)].content")
            }
            if let name = turn.name, !Turn.isValid(name: name), turn.role != "tool", turn.role != "function" {
                throw OpenAIError.invalidRequest(
                    "messages[\(index)].name must be 1 to 64 ASCII letters, digits, underscores or hyphens",
                    param: "messages[\(index)].name", code: "invalid_value")
            }
            let text = turn.content?.text ?? ""
            switch turn.role {
            case "system", "developer": return ChatMessage(role: .system, content: text, name: turn.name)
            case "user": return ChatMessage(role: .user, content: text, name: turn.name)
            case "assistant": return ChatMessage(role: .assistant, content: text, name: turn.name)
            case "tool", "function": return nil
            default:
                // `tool` and `function` turns are taken and left out (an agent calls no tools).
                throw OpenAIError.invalidRequest(
                    "messages[\(index)].role must be system, developer, user, assistant, tool or function",
                    param: "messages[\(index)].role")
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
        guard let requested = (maxCompletionTokens ?? maxTokens)?.value else { return nil }
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

    struct Model: ResponseEncodable, Sendable {
        let id: String
        let object = "model"
        let created: Int
        let ownedBy: String
        /// The agent's name, beyond OpenAI's members: a chat client that lists models (Open WebUI, say)
        /// shows it in place of the id; OpenAI's clients ignore members they do not know.
        let name: String

        enum CodingKeys: String, CodingKey {
            case id, object, created, name
            case ownedBy = "owned_by"
        }
    }
}
