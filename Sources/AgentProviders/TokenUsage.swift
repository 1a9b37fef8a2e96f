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

    /// The largest count taken as reported: what a ledger row holds (a PostgreSQL `integer`).
    public static let largestCount = Int(Int32.max)

    /// Counts as a provider reported them, within reason: a negative count is not taken (it is then
    /// estimated), and one past ``largestCount`` is capped. The provider is a server anyone can point a
    /// connection at; what it reports must not fail the ledger's checks or overflow a sum.
    init(reportedPrompt prompt: Int?, completion: Int?) {
        self.init(prompt: Self.plausible(prompt), completion: Self.plausible(completion))
    }

    /// `count`, capped at ``largestCount``; nil when negative.
    static func plausible(_ count: Int?) -> Int? {
        guard let count, count >= 0 else { return nil }
        return min(count, largestCount)
    }

    /// These counts, replaced by the ones `later` reports.
    public func merging(_ later: TokenUsage) -> TokenUsage {
        TokenUsage(prompt: later.prompt ?? prompt, completion: later.completion ?? completion)
    }
}
