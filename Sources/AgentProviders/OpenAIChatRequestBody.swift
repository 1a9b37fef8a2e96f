/// The JSON body of an OpenAI Chat Completions request.
struct OpenAIChatRequestBody: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
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
    var stream: Bool
    /// Asks for the usage chunk at the end of a stream; without it a streamed call reports no usage.
    var streamOptions: StreamOptions?
    var stop: [String]?

    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature, stream, stop
        case maxTokens = "max_tokens"
        case streamOptions = "stream_options"
    }

    init(_ request: ChatRequest) {
        model = request.model
        messages = request.messages.map { Message(role: $0.role.rawValue, content: $0.content) }
        temperature = request.temperature
        maxTokens = request.maximumTokens
        stream = request.stream
        streamOptions = request.stream ? StreamOptions(includeUsage: true) : nil
        stop = request.stopSequences.isEmpty ? nil : request.stopSequences
    }
}
