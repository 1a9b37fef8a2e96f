/// How long a provider call may wait at each stage.
///
/// Model providers can think for a while before the first byte and pause between chunks, so the bounds
/// are generous; they exist so that a dead provider cannot hold a request (and its key) open forever.
public struct ProviderTimeouts: Hashable, Sendable {
    /// Establishing the TCP (and TLS) connection.
    public var connect: Duration
    /// From sending the request to the response's head: a provider queues and reads the prompt first.
    public var responseHead: Duration
    /// Between two chunks of the body; a longer silence fails the reply with ``ProviderFailure/timedOut``.
    public var idle: Duration
    /// How long a reasoning model may stay silent before its first chunk, and take to answer with its head.
    /// OpenAI's Chat Completions sends nothing while such a model thinks, often for minutes; the reply's
    /// own time limit still bounds the whole call.
    public var thinking: Duration

    public init(
        connect: Duration = .seconds(10), responseHead: Duration = .seconds(120), idle: Duration = .seconds(60),
        thinking: Duration = .seconds(300)
    ) {
        self.connect = connect
        self.responseHead = responseHead
        self.idle = idle
        self.thinking = thinking
    }

    /// The bounds of one call of `model` over `wireProtocol`: a reasoning model's first chunk, and its
    /// head, may take the thinking time; any later silence is bounded by `idle` alone.
    func waits(for model: String, over wireProtocol: ChatWireProtocol) -> (head: Duration, firstChunk: Duration) {
        guard wireProtocol.thinksInSilence(model: model) else { return (responseHead, idle) }
        return (max(responseHead, thinking), max(idle, thinking))
    }
}
