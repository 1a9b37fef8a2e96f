/// A non-streamed OpenAI `chat.completion`, or the error object sent instead of one.
struct OpenAIChatCompletion: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            var content: String?
        }

        var index: Int?
        var message: Message?
        var finishReason: String?

        private enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    var choices: [Choice]?
    var usage: OpenAIUsage?
    var error: ProviderErrorObject?

    /// The reply this completion carries, or the failure it reports.
    func reply() throws(ProviderFailure) -> ChatReply {
        if let error { throw error.failure }
        guard let choice = choices?.first(where: { ($0.index ?? 0) == 0 }) else {
            throw .protocolViolation(.malformedJSON)
        }
        return try ChatReply.received(
            text: choice.message?.content ?? "",
            finishReason: choice.finishReason.map(FinishReason.init(openAI:)),
            usage: usage?.tokenUsage ?? TokenUsage()
        )
    }
}
