/// A provider's streamed reply, as ``ReplyEvent``s.
///
/// Text and usage come in any order; the stream ends with exactly one ``ReplyEvent/finished(_:)`` or
/// ``ReplyEvent/failed(_:)`` (a provider's error event, a broken protocol, ``ProviderFailure/timedOut``
/// after the idle timeout, ``ProviderFailure/connectionLost``), unless its consumer stops first.
/// Cancelling the task that iterates it, or dropping it, cancels the upstream request at once: the
/// connection is closed, so the provider stops generating (and billing).
///
/// Events wait in the stream until read (the reply is read from the connection as fast as it comes, so a
/// slow reader never stalls the provider), within the bounds of ``PendingReplyEvents``. Iterate it once,
/// from one task.
public struct ProviderReplyStream: AsyncSequence, Sendable {
    public typealias Element = ReplyEvent
    public typealias Failure = Never

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = Never
        let reader: PendingReplyEvents.Reader

        public mutating func next() async -> ReplyEvent? {
            await reader.events.next()
        }
    }

    private let reader: PendingReplyEvents.Reader

    init(_ events: PendingReplyEvents) {
        reader = PendingReplyEvents.Reader(events)
    }

    /// Cancels the upstream request now, while the stream is still held: a consumer that stops reading
    /// before it is done with the stream (it still stores what it read) need not wait to drop it.
    public func cancel() {
        reader.events.consumerGone()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: reader)
    }
}
