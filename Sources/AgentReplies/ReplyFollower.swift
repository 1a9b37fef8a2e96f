import AgentStore
import Synchronization

/// What one client following a reply reads, in order: `started`, the text in deltas, then the end (see
/// ``ReplyProgress``).
///
/// It holds no text: it keeps its place in the running reply's text and, woken when more comes, reads all
/// that is new as one delta. So a client that reads slowly, or not at all, costs a place and one pending
/// wake-up however many pieces the provider sends: queueing each piece for each follower let one tenant,
/// with a provider sending a character a piece and followers that never read, hold gigabytes.
///
/// Iterators share the place: one that stops (at the first token, say) leaves the next to go on from there.
/// The reply forgets this follower when it is released or its reading task is cancelled.
public final class ReplyFollower: AsyncSequence, Sendable {
    public typealias Element = ReplyProgress
    public typealias Failure = Never

    private let reply: RunningReply?
    /// One pending wake-up at most, sent when the reply has more text or has ended.
    private let wakeUps: AsyncStream<Void>
    private let place: Mutex<Place>
    /// How long without a step makes a silence, for a follower that hears of them.
    private let silenceAfter: Duration?

    private struct Place {
        /// Events to hand on before reading the reply: its start, or the whole of an ended reply.
        var pending: [ReplyProgress]
        /// UTF-8 bytes of the reply's text handed on so far.
        var offset = 0
        var ended = false
        /// When the last step was handed on.
        var lastStep = ContinuousClock.now
    }

    init(following reply: RunningReply, started: Message?, wakeUps: AsyncStream<Void>, silenceAfter: Duration?) {
        self.reply = reply
        self.wakeUps = wakeUps
        self.silenceAfter = silenceAfter
        place = Mutex(Place(pending: started.map { [.started($0)] } ?? []))
    }

    /// A reply that has ended, as stored: its start, its text as one delta (none when empty, as the live
    /// stream sends none), its end.
    public init(ended stored: Message) {
        reply = nil
        wakeUps = AsyncStream { $0.finish() }
        silenceAfter = nil
        let text: [ReplyProgress] = stored.content.isEmpty ? [] : [.delta(stored.content)]
        place = Mutex(Place(pending: [.started(stored)] + text + [.ended(ReplyEnd(stored: stored))]))
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(follower: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let follower: ReplyFollower

        public mutating func next() async -> ReplyProgress? {
            while let step = await follower.step(hearingSilences: false) {
                if case .event(let event) = step { return event }
            }
            return nil
        }
    }

    /// What a follower that writes keep-alives reads next.
    public enum Step: Sendable, Equatable {
        case event(ReplyProgress)
        /// The reply runs on, and no text came since the last step for a while (its keep-alive interval).
        case silence
    }

    /// The next event or a silence; nil after the end, or once the reading task is cancelled.
    public func nextStep() async -> Step? {
        await step(hearingSilences: true)
    }

    private func step(hearingSilences: Bool) async -> Step? {
        let step = await nextStep(hearingSilences: hearingSilences)
        place.withLock { $0.lastStep = .now }
        return step
    }

    private func nextStep(hearingSilences: Bool) async -> Step? {
        var wakeUp = wakeUps.makeAsyncIterator()
        // False once the wake-ups have ended (the reply ended, or this task was cancelled): then a read that
        // finds nothing new is the last.
        var awake = true
        var woken = false
        while true {
            let (pendingEvent, offset, ended) = place.withLock { place -> (ReplyProgress?, Int, Bool) in
                (place.pending.isEmpty ? nil : place.pending.removeFirst(), place.offset, place.ended)
            }
            if let pendingEvent { return .event(pendingEvent) }
            guard !ended, let reply, !Task.isCancelled else { return nil }
            let (text, end) = await reply.progress(fromUTF8: offset)
            if !text.isEmpty {
                place.withLock { $0.offset += text.utf8.count }
                return .event(.delta(text))
            }
            if let end {
                place.withLock { $0.ended = true }
                return .event(.ended(end))
            }
            guard awake else { return nil }
            // Woken with nothing new (the reply's keep-alive, or a wake-up left from text read already): a
            // silence once the last step is long enough ago.
            if woken, hearingSilences, let silenceAfter,
                ContinuousClock.now - place.withLock({ $0.lastStep }) >= silenceAfter
            {
                return .silence
            }
            // Nothing new: wait to be woken. A wake-up already pending answers at once.
            awake = await wakeUp.next() != nil
            woken = awake
        }
    }
}
