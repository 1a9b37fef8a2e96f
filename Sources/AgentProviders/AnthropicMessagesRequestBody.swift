/// The JSON body of an Anthropic Messages request.
struct AnthropicMessagesRequestBody: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
    }

    var model: String
    /// Anthropic takes the system prompt beside the messages, not among them.
    var system: String?
    var messages: [Message]
    /// Required by Anthropic.
    var maxTokens: Int
    var temperature: Double?
    var stream: Bool
    var stopSequences: [String]?

    private enum CodingKeys: String, CodingKey {
        case model, system, messages, temperature, stream
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
    }

    /// System messages, wherever they are, become the top-level `system`, joined by a blank line. Turns
    /// without text are left out: Anthropic refuses a request holding one (an OpenAI client sends them
    /// for an assistant turn that only called tools), where OpenAI takes them.
    init(_ request: ChatRequest, defaultMaximumTokens: Int) {
        model = request.model
        let systemTexts = request.messages.filter { $0.role == .system }.map(\.content)
        system = systemTexts.isEmpty ? nil : systemTexts.joined(separator: "\n\n")
        messages = request.messages.filter { $0.role != .system && $0.content.contains { !$0.isWhitespace } }.map {
            Message(role: $0.role.rawValue, content: $0.content)
        }
        maxTokens = request.maximumTokens ?? defaultMaximumTokens
        temperature = request.temperature
        stream = request.stream
        let stops = ChatWireProtocol.anthropic.stopSequencesSent(for: request)
        stopSequences = stops.isEmpty ? nil : stops
    }
}
