import NIOCore
import Synchronization

/// The events of one streamed call that the connection's reader has decoded and the consumer not yet
/// taken, within bounds: the connection is read as fast as it comes (a slow consumer never stalls the
/// provider), so a provider that sends faster than the consumer takes would otherwise queue without end.
///
/// Past ``coalescingAt`` events, text joins the text queued last and usage merges into the usage queued
/// last, so the queue stops growing in events (a provider that interleaves the two is no exception); past ``maximumTextBytes`` of text not taken, the reading
/// stops and the stream ends failed. A consumer that keeps up sees every event as it was decoded.
final class PendingReplyEvents: Sendable {
    /// Events queued before text and usage are joined to what is queued.
    static let coalescingAt = 256
    /// Text not yet taken past which the reading stops: 4 MiB, what a stored message's 1,000,000 characters
    /// come to at most in UTF-8, so that its consumer has taken all it keeps before this is reached.
    static let maximumTextBytes = 4 << 20

    private struct State {
        var queue = CircularBuffer<ReplyEvent>()
        var textBytes = 0
        /// No event comes after: the reply ended, or the reading stopped.
        var closed = false
    }

    private let state = Mutex(State())
    /// Wakes the consumer; at most one wake-up waits, as one take empties what is queued.
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Stops the reading; run once, when the consumer goes (see ``Reader``).
    private let stopReading: Mutex<(@Sendable () -> Void)?>

    init(stopReading: @escaping @Sendable () -> Void) {
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.stopReading = Mutex(stopReading)
    }

    /// The consumer's hold on the events: when the last copy of the stream that holds it goes, the reading
    /// stops, as the provider would otherwise go on generating (and billing) for nobody.
    final class Reader: Sendable {
        let events: PendingReplyEvents

        init(_ events: PendingReplyEvents) {
            self.events = events
        }

        deinit {
            events.consumerGone()
        }
    }

    /// Stops the reading, once: the consumer was cancelled, let go of the stream, or asked.
    func consumerGone() {
        stopReading.withLock { stop in
            defer { stop = nil }
            return stop
        }?()
    }

    /// Events queued and not yet taken.
    var queued: Int { state.withLock { $0.queue.count } }

    /// Queues `event`; false once the text not taken passed ``maximumTextBytes`` (the stream is then
    /// ended failed, and the reading should stop).
    func add(_ event: ReplyEvent) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if case .text(let piece) = event { state.textBytes += piece.utf8.count }
            guard state.textBytes <= Self.maximumTextBytes else {
                state.queue.append(.failed(.protocolViolation(.eventTooLarge(limit: Self.maximumTextBytes))))
                state.closed = true
                return false
            }
            if state.queue.count < Self.coalescingAt || !state.queue.joinInTail(event) { state.queue.append(event) }
            return true
        }
        wake.yield()
        return accepted
    }

    /// No more events come.
    func close() {
        state.withLock { $0.closed = true }
        wake.finish()
    }

    /// The next event, waiting for one; nil once the stream is closed and taken. A cancelled consumer
    /// stops the reading, and still gets what was read before (the provider sent it, and bills it), without
    /// waiting for more.
    func next() async -> ReplyEvent? {
        var wakeUps = wakes.makeAsyncIterator()
        while true {
            if Task.isCancelled { consumerGone() }
            let (event, closed) = state.withLock { state -> (ReplyEvent?, Bool) in
                guard let event = state.queue.popFirst() else { return (nil, state.closed) }
                if case .text(let piece) = event { state.textBytes -= piece.utf8.count }
                return (event, false)
            }
            if let event { return event }
            if closed || Task.isCancelled { return nil }
            // Nil when finished or cancelled: the loop then takes what is left, or ends.
            _ = await wakeUps.next()
        }
    }
}

extension CircularBuffer<ReplyEvent> {
    /// Joins `event` to the text or usage among the last two queued, if it is text or usage and one is:
    /// text and usage commute (usage merges, later counts winning), so past the bound the queue ends in at
    /// most one of each, however the provider interleaves them.
    fileprivate mutating func joinInTail(_ event: ReplyEvent) -> Bool {
        var position = endIndex
        for _ in 0..<2 {
            guard position != startIndex else { return false }
            position = index(before: position)
            switch (self[position], event) {
            case (.text(var queued), .text(let piece)):
                // The buffer lets go of the text first, so that it grows in place rather than being copied.
                self[position] = .finished(nil)
                queued += piece
                self[position] = .text(queued)
                return true
            case (.usage(let queued), .usage(let usage)):
                self[position] = .usage(queued.merging(usage))
                return true
            default: continue
            }
        }
        return false
    }
}
