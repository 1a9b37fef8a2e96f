/// A whole reply, from a call that did not stream.
public struct ChatReply: Hashable, Sendable {
    public var text: String
    public var finishReason: FinishReason?
    public var usage: TokenUsage

    public init(text: String, finishReason: FinishReason?, usage: TokenUsage) {
        self.text = text
        self.finishReason = finishReason
        self.usage = usage
    }

    /// A reply with neither text nor a finish reason is a server or proxy that gave up, not an empty
    /// answer: taken as one, it would be stored as an empty `complete` reply.
    static func received(text: String, finishReason: FinishReason?, usage: TokenUsage) throws(ProviderFailure) -> ChatReply {
        guard finishReason != nil || !text.isEmpty else { throw .protocolViolation(.endedEarly) }
        return ChatReply(text: text, finishReason: finishReason, usage: usage)
    }
}
