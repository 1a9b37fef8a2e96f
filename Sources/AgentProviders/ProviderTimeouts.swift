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

    public init(connect: Duration = .seconds(10), responseHead: Duration = .seconds(120), idle: Duration = .seconds(60)) {
        self.connect = connect
        self.responseHead = responseHead
        self.idle = idle
    }
}
