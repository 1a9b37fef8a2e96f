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

    /// A whole reply as a provider sent it, judged as a stream's end is (``ReplyEvent/ending(_:gaveText:)``).
    static func received(text: String, finishReason: FinishReason?, usage: TokenUsage) throws(ProviderFailure) -> ChatReply {
        _ = try ReplyEvent.ending(finishReason, gaveText: !text.isEmpty)
        return ChatReply(text: text, finishReason: finishReason, usage: usage)
    }
}
