/// The data of one Anthropic Messages stream event, reduced to what a reply needs.
///
/// One shape for every event type: each field is present only in the events that carry it.
struct AnthropicStreamPayload: Decodable, Sendable {
    struct Message: Decodable, Sendable {
        var usage: AnthropicUsage?
    }

    struct ContentBlock: Decodable, Sendable {
        var type: String?
        var text: String?
    }

    /// A `content_block_delta`'s `type` and `text`, or a `message_delta`'s `stop_reason`.
    struct Delta: Decodable, Sendable {
        var type: String?
        var text: String?
        var stopReason: String?

        private enum CodingKeys: String, CodingKey {
            case type, text
            case stopReason = "stop_reason"
        }
    }

    var type: String?
    var message: Message?
    var contentBlock: ContentBlock?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: ProviderErrorObject?

    private enum CodingKeys: String, CodingKey {
        case type, message, delta, usage, error
        case contentBlock = "content_block"
    }
}
