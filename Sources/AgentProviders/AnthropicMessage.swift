/// A non-streamed Anthropic Messages response, or the error sent instead of one.
struct AnthropicMessage: Decodable, Sendable {
    struct ContentBlock: Decodable, Sendable {
        var type: String?
        var text: String?
    }

    var type: String?
    var content: [ContentBlock]?
    var stopReason: String?
    var usage: AnthropicUsage?
    var error: ProviderErrorObject?

    private enum CodingKeys: String, CodingKey {
        case type, content, usage, error
        case stopReason = "stop_reason"
    }

    /// The reply this message carries (its text blocks joined), or the failure it reports.
    func reply() throws(ProviderFailure) -> ChatReply {
        if let error { throw error.failure }
        guard let content else { throw .protocolViolation(.malformedJSON) }
        let text = content.filter { $0.type == "text" }.compactMap(\.text).joined()
        return try ChatReply.received(
            text: text,
            finishReason: stopReason.map(FinishReason.init(anthropic:)),
            usage: usage?.tokenUsage ?? TokenUsage()
        )
    }
}
