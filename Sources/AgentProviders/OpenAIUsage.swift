/// OpenAI's `usage` object.
struct OpenAIUsage: Decodable, Sendable {
    var promptTokens: Int?
    var completionTokens: Int?

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = container.decodeTokenCount(forKey: .promptTokens)
        completionTokens = container.decodeTokenCount(forKey: .completionTokens)
    }

    var tokenUsage: TokenUsage { TokenUsage(reportedPrompt: promptTokens, completion: completionTokens) }
}
