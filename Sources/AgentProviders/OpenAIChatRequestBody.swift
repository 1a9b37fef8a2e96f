/// The JSON body of an OpenAI Chat Completions request.
struct OpenAIChatRequestBody: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
        var name: String?
    }

    struct StreamOptions: Encodable, Sendable {
        var includeUsage: Bool

        private enum CodingKeys: String, CodingKey {
            case includeUsage = "include_usage"
        }
    }

    var model: String
    var messages: [Message]
    var temperature: Double?
    var maxTokens: Int?
    /// The bound as OpenAI's reasoning models take it; they refuse `max_tokens`.
    var maxCompletionTokens: Int?
    var stream: Bool
    /// Asks for the usage chunk at the end of a stream; without it a streamed call reports no usage.
    var streamOptions: StreamOptions?
    var stop: [String]?

    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature, stream, stop
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case streamOptions = "stream_options"
    }

    /// OpenAI's reasoning models (o1, o3, o4-mini, the gpt-5 family) refuse `max_tokens` for
    /// `max_completion_tokens` and any temperature but their default. Other servers keep `max_tokens`,
    /// which every compatible server reads and some read alone.
    static func reasons(_ model: String) -> Bool {
        let name = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        let reasoningSeries = name.first == "o" && name.dropFirst().first?.isNumber == true
        return reasoningSeries || name.hasPrefix("gpt-5")
    }

    init(_ request: ChatRequest) {
        model = request.model
        messages = request.messages.map { Message(role: $0.role.rawValue, content: $0.content, name: $0.name) }
        if Self.reasons(request.model) {
            maxCompletionTokens = request.maximumTokens
        } else {
            temperature = request.temperature
            maxTokens = request.maximumTokens
        }
        stream = request.stream
        streamOptions = request.stream ? StreamOptions(includeUsage: true) : nil
        let stops = ChatWireProtocol.openAI.stopSequencesSent(for: request)
        stop = stops.isEmpty ? nil : stops
    }
}
