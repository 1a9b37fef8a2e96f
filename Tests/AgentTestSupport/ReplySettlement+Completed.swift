import AgentStore

extension ReplySettlement {
    /// A reply that completed with `content` and the usage given, as a test settles one it started itself.
    public static func completed(_ content: String, promptTokens: Int = 1, completionTokens: Int = 1) -> ReplySettlement {
        ReplySettlement(
            content: content, finishReason: "stop",
            call: CallSettlement(
                status: .complete, connectionID: nil,
                usage: MessageUsage(promptTokens: promptTokens, completionTokens: completionTokens, estimated: false),
                latencyMilliseconds: 5, timeToFirstTokenMilliseconds: 1, error: nil))
    }
}
