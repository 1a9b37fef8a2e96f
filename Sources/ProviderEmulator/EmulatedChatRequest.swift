/// The parts of an OpenAI or Anthropic chat request the emulator reads, decoded leniently.
struct EmulatedChatRequest: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var role: String
        var content: String
        /// OpenAI's participant name; Anthropic's protocol has none and refuses it.
        var name: String?

        private enum CodingKeys: String, CodingKey {
            case role, content, name
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decode(String.self, forKey: .role)
            content = try EmulatedChatRequest.text(in: container, forKey: .content) ?? ""
            name = try container.decodeIfPresent(String.self, forKey: .name)
        }
    }

    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?

        private enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
    }

    /// An Anthropic content block; only text blocks count.
    private struct Block: Decodable, Sendable {
        var type: String?
        var text: String?
    }

    var model: String
    var messages: [Message]
    /// Anthropic's top-level system prompt.
    var system: String?
    var temperature: Double?
    var maxTokens: Int?
    var stream: Bool
    var streamOptions: StreamOptions?
    /// OpenAI's `stop` (one string or a list) or Anthropic's `stop_sequences`.
    var stopSequences: [String]

    private enum CodingKeys: String, CodingKey {
        case model, messages, system, temperature, stream, stop
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
        case stopSequences = "stop_sequences"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        messages = try container.decode([Message].self, forKey: .messages)
        system = try Self.text(in: container, forKey: .system)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        // OpenAI's reasoning models take `max_completion_tokens`.
        maxTokens =
            try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
            ?? container.decodeIfPresent(Int.self, forKey: .maxTokens)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        if let one = try? container.decodeIfPresent(String.self, forKey: .stop) {
            stopSequences = [one]
        } else {
            stopSequences =
                try container.decodeIfPresent([String].self, forKey: .stop)
                ?? container.decodeIfPresent([String].self, forKey: .stopSequences) ?? []
        }
    }

    /// The last user message's text, where a directive line may be.
    var lastUserMessage: String? {
        messages.last { $0.role == "user" }?.content
    }

    /// A rough token count of the prompt: its words.
    var promptWords: Int {
        (messages.map(\.content) + [system ?? ""]).reduce(0) { $0 + $1.split(whereSeparator: \.isWhitespace).count }
    }

    /// Content given as a string or as an array of blocks (Anthropic), joined.
    private static func text<Key: CodingKey>(in container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
        guard let blocks = try container.decodeIfPresent([Block].self, forKey: key) else { return nil }
        return blocks.filter { $0.type == nil || $0.type == "text" }.compactMap(\.text).joined()
    }
}
