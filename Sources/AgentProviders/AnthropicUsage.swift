/// Anthropic's `usage` object.
struct AnthropicUsage: Decodable, Sendable {
    var inputTokens: Int?
    var outputTokens: Int?
    var cacheCreationInputTokens: Int?
    var cacheReadInputTokens: Int?

    private enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputTokens = container.decodeTokenCount(forKey: .inputTokens)
        outputTokens = container.decodeTokenCount(forKey: .outputTokens)
        cacheCreationInputTokens = container.decodeTokenCount(forKey: .cacheCreationInputTokens)
        cacheReadInputTokens = container.decodeTokenCount(forKey: .cacheReadInputTokens)
    }

    /// Prompt tokens include the cached prefix, written or read: Anthropic counts those apart from
    /// `input_tokens`, and a budget must see them all.
    /// Each part is made plausible before the sum, which therefore cannot overflow.
    var tokenUsage: TokenUsage {
        let cached = [cacheCreationInputTokens, cacheReadInputTokens].reduce(0) { $0 + (TokenUsage.plausible($1) ?? 0) }
        let prompt = TokenUsage.plausible(inputTokens).map { $0 + cached }
        return TokenUsage(reportedPrompt: prompt, completion: outputTokens)
    }
}
