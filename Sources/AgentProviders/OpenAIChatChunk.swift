/// One `chat.completion.chunk` of an OpenAI Chat Completions stream, reduced to what a reply needs.
///
/// Every field is optional: compatible servers differ, and a chunk may carry only usage (with empty
/// `choices`) or only an `error`.
struct OpenAIChatChunk: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        struct Delta: Decodable, Sendable {
            var content: String?
        }

        var index: Int?
        var delta: Delta?
        var finishReason: String?

        private enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }
    }

    var choices: [Choice]?
    var usage: OpenAIUsage?
    var error: ProviderErrorObject?

    /// The first choice; a request asks for one, and servers that ignore `n` would interleave others.
    var firstChoice: Choice? {
        choices?.first { ($0.index ?? 0) == 0 }
    }
}
