/// A chat call, before it is encoded for one wire protocol.
public struct ChatRequest: Hashable, Sendable {
    /// The provider's model name, such as `gpt-4o-mini`.
    public var model: String
    /// The conversation, oldest first; system messages may appear anywhere, and Anthropic gets them joined.
    public var messages: [ChatMessage]
    public var temperature: Double?
    /// The most tokens the reply may take; protocols that require a bound use ``ChatWireProtocol/defaultMaximumTokens``.
    public var maximumTokens: Int?
    /// Whether the provider streams the reply as server-sent events.
    public var stream: Bool
    /// Text that ends the reply where the model would write it (not included); none when empty.
    public var stopSequences: [String]

    public init(
        model: String, messages: [ChatMessage], temperature: Double? = nil, maximumTokens: Int? = nil,
        stream: Bool = true, stopSequences: [String] = []
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maximumTokens = maximumTokens
        self.stream = stream
        self.stopSequences = stopSequences
    }
}
