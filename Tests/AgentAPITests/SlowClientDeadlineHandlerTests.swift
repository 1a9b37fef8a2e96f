import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import AgentAPI

/// A close asked for while a slow client's writes still wait for it (Hummingbird's idle timeout starts at a
/// response's last part) waits for them, and no longer than the deadline: closing at once dropped the end of
/// an export from a client reading it steadily.
@Suite struct SlowClientDeadlineHandlerTests {
    /// How `future` ended, if it has: the embedded loop runs its callbacks at once, where `wait()` on one not
    /// yet fulfilled would wait forever.
    func outcome(_ future: EventLoopFuture<Void>) -> Result<Void, any Error>? {
        nonisolated(unsafe) var outcome: Result<Void, any Error>?
        future.whenComplete { outcome = $0 }
        return outcome
    }

    /// A connection that fell behind, with `.end` written and not yet taken in (not flushed).
    func behind() throws -> (EmbeddedChannel, EventLoopFuture<Void>) {
        let channel = EmbeddedChannel(handler: SlowClientDeadlineHandler(limit: .seconds(5)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.write(HTTPResponsePart.end(nil), promise: written)
        return (channel, written.futureResult)
    }

    @Test func aCloseWaitsUntilTheClientTookInWhatWasWritten() throws {
        let (channel, written) = try behind()
        let closed = channel.close()
        #expect(channel.isActive, "closed with a write still waiting")
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(try outcome(written)?.get() != nil)
        #expect(!channel.isActive)
        #expect(try outcome(closed)?.get() != nil)
    }

    @Test func aHeldCloseHappensAtTheDeadlineWhenTheClientStopsReading() throws {
        let (channel, written) = try behind()
        let closed = channel.close()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(4900))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
        #expect(try outcome(closed)?.get() != nil)
        // Never taken in (a socket's close fails it; the embedded channel leaves it be).
        #expect(outcome(written) == nil)
    }

    /// A connection that never fell behind is closed at once, its writes unwatched.
    @Test func aConnectionThatKeptUpClosesAtOnce() throws {
        let channel = EmbeddedChannel(handler: SlowClientDeadlineHandler(limit: .seconds(5)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.write(HTTPResponsePart.end(nil), promise: nil)
        _ = channel.close()
        #expect(!channel.isActive)
    }
}
