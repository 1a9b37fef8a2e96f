/// OpenAI's `usage` object.
struct OpenAIUsage: Decodable, Sendable {
    var promptTokens: Int?
    var completionTokens: Int?

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    var tokenUsage: TokenUsage { TokenUsage(reportedPrompt: promptTokens, completion: completionTokens) }
}
