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
}
