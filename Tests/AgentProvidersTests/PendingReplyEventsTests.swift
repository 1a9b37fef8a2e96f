import Synchronization
import Testing

@testable import AgentProviders

/// The events of a streamed call between the connection's reader and the consumer: every event for a
/// consumer that keeps up, a bounded queue for one far behind, and the reading stopped when the consumer
/// goes.
@Suite struct PendingReplyEventsTests {
    @Test func aConsumerThatKeepsUpSeesEveryEventAsDecoded() async {
        let events = PendingReplyEvents {}
        let sent: [ReplyEvent] = [.usage(TokenUsage(prompt: 3)), .text("a"), .text("b"), .finished(.stop)]
        for event in sent { #expect(events.add(event)) }
        events.close()
        #expect(await Self.all(events) == sent)
    }

    /// A provider far faster than its consumer: the queue stops growing in events, and nothing is lost.
    @Test func aConsumerFarBehindHoldsABoundedQueue() async {
        let events = PendingReplyEvents {}
        var text = ""
        for index in 0..<100_000 {
            #expect(events.add(.text("\(index % 10)")))
            text += "\(index % 10)"
            if index % 1000 == 0 { #expect(events.add(.usage(TokenUsage(completion: index)))) }
        }
        #expect(events.add(.usage(TokenUsage(prompt: 7))))
        #expect(events.add(.finished(.stop)))
        events.close()
        let taken = await Self.all(events)
        #expect(taken.count <= PendingReplyEvents.coalescingAt + 2)
        #expect(taken.last == .finished(.stop))
        var received = ""
        var usage = TokenUsage()
        for event in taken {
            switch event {
            case .text(let piece): received += piece
            case .usage(let counts): usage = usage.merging(counts)
            default: break
            }
        }
        #expect(received == text)
        #expect(usage == TokenUsage(prompt: 7, completion: 99_000))
    }

    /// More text waiting than a whole reply may hold: the reading is told to stop, and the stream ends
    /// failed once the text before it is taken.
    @Test func textPastTheLimitEndsTheStreamFailed() async {
        let events = PendingReplyEvents {}
        #expect(events.add(.text("kept")))
        #expect(!events.add(.text(String(repeating: "x", count: PendingReplyEvents.maximumTextBytes))))
        #expect(!events.add(.finished(.stop)))
        events.close()
        let limit = PendingReplyEvents.maximumTextBytes
        #expect(await Self.all(events) == [.text("kept"), .failed(.protocolViolation(.eventTooLarge(limit: limit)))])
    }

    /// A consumer cancelled with events read and not taken gets them (the provider sent them, and bills
    /// them), without waiting for more, and the reading stops.
    @Test func aCancelledConsumerGetsWhatWasReadAndNoMore() async {
        let cancelled = Self.counted()
        let stream = ProviderReplyStream(cancelled.events)
        #expect(cancelled.events.add(.text("a")) && cancelled.events.add(.usage(TokenUsage(completion: 1))))
        let consumer = Task { () -> [ReplyEvent] in
            while !Task.isCancelled { await Task.yield() }
            var taken: [ReplyEvent] = []
            for await event in stream { taken.append(event) }
            return taken
        }
        consumer.cancel()
        #expect(await consumer.value == [.text("a"), .usage(TokenUsage(completion: 1))])
        #expect(cancelled.stops.value == 1)
    }

    /// Dropping the stream, cancelling its consumer or asking stops the reading, once.
    @Test func theReadingStopsWhenTheConsumerGoes() async throws {
        let dropped = Self.counted()
        do {
            let stream = ProviderReplyStream(dropped.events)
            _ = stream.makeAsyncIterator()
        }
        #expect(dropped.stops.value == 1)

        let cancelled = Self.counted()
        let stream = ProviderReplyStream(cancelled.events)
        let consumer = Task { () -> [ReplyEvent] in
            var taken: [ReplyEvent] = []
            for await event in stream { taken.append(event) }
            return taken
        }
        #expect(cancelled.events.add(.text("a")))
        for _ in 0..<500 where cancelled.events.queued > 0 { try await Task.sleep(for: .milliseconds(10)) }
        consumer.cancel()
        #expect(await consumer.value == [.text("a")])
        #expect(cancelled.stops.value == 1)
        stream.cancel()
        #expect(cancelled.stops.value == 1)
    }

    private static func all(_ events: PendingReplyEvents) async -> [ReplyEvent] {
        var taken: [ReplyEvent] = []
        while let event = await events.next() { taken.append(event) }
        return taken
    }

    private final class Count: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func add() { count.withLock { $0 += 1 } }
    }

    private static func counted() -> (events: PendingReplyEvents, stops: Count) {
        let stops = Count()
        return (PendingReplyEvents { stops.add() }, stops)
    }
}
