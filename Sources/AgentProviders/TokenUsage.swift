/// Token counts a provider reported for one call.
///
/// A nil count was not reported (yet). In a stream each report carries the totals known so far, so a
/// later report replaces an earlier one field by field: see ``merging(_:)``.
public struct TokenUsage: Hashable, Sendable {
    /// Tokens of the request: the prompt, the conversation, and any cached prefix.
    public var prompt: Int?
    /// Tokens of the reply.
    public var completion: Int?

    public init(prompt: Int? = nil, completion: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
    }

    /// These counts, replaced by the ones `later` reports.
    public func merging(_ later: TokenUsage) -> TokenUsage {
        TokenUsage(prompt: later.prompt ?? prompt, completion: later.completion ?? completion)
    }
}
