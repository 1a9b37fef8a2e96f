import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow to serve: its request not arrived whole within `limit` of
/// its head, or nothing of its response read for `limit`.
///
/// Hummingbird's idle timeout counts silence only, and not while a response is written:
/// - a client that sends one body byte every few seconds would hold its connection for as long as the body
///   limit allows;
/// - one that stops reading a long response (an export, a followed reply) would hold it, and what the
///   response holds (an export's slot and snapshot, a follower's unread text), for as long as it keeps the
///   connection open. The response's clock runs while the connection is unwritable (its outbound buffer
///   past the high-water mark because the client reads nothing), and starts again whenever the client
///   takes in one of the writes made meanwhile: a response written in slices as fast as the client reads
///   keeps the buffer above the low-water mark, unwritable from start to end, while the client reads
///   steadily (one such export was cut after 5 s of a steady 0.55 MB/s). A single write of megabytes is
///   taken in only once all of it has drained. The pending write then fails, and the handler lets go.
/// - a close asked for while a slow client's writes still wait (Hummingbird's idle timeout, which starts at
///   the response's last part) waits for them as well, within the same deadline.
final class SlowClientDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var requestDeadline: Scheduled<Void>?
    private var responseDeadline: Scheduled<Void>?
    /// The connection fell behind once (a long response): from then on its writes are watched. Most
    /// connections never do, and cost no watching.
    private var watching = false
    /// Writes passed on while watching and not yet taken in by the client's connection.
    private var unsent = 0
    /// A close asked for while writes were unsent: passed on once they are, or at the deadline.
    private var heldClose: EventLoopPromise<Void>?
    private var closeHeld = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestDeadline?.cancel()
            requestDeadline = closing(context)
        case .body:
            break
        case .end:
            requestDeadline?.cancel()
            requestDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            responseDeadline?.cancel()
            responseDeadline = nil
        } else {
            watching = true
            if responseDeadline == nil { responseDeadline = closing(context) }
        }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard watching else { return context.write(data, promise: promise) }
        unsent += 1
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenComplete { result in
            self.unsent -= 1
            // The client took in this much while behind: its clock starts again.
            if case .success = result, let deadline = self.responseDeadline {
                deadline.cancel()
                self.responseDeadline = self.closing(context)
            }
            if self.unsent == 0, self.closeHeld { context.close(promise: self.takeHeldClose()) }
        }
        context.write(data, promise: written)
    }

    /// Hummingbird's idle timeout starts at a response's last part, which may still wait in the outbound
    /// buffer behind megabytes that the client reads slowly: closing then dropped the response's end. Such
    /// a close waits for the writes to be taken in, or for the deadline when the client stops reading.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, unsent > 0, !closeHeld else { return context.close(mode: mode, promise: promise) }
        closeHeld = true
        heldClose = promise
        if responseDeadline == nil { responseDeadline = closing(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadlines()
        // The channel closed while a close waited: that close is done.
        takeHeldClose()?.succeed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadlines()
        takeHeldClose()?.succeed()
    }

    private func closing(_ context: ChannelHandlerContext) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: self.takeHeldClose()) }
    }

    /// The close that waited, if one did, no longer waiting: its promise, to close with or to fulfil.
    private func takeHeldClose() -> EventLoopPromise<Void>? {
        defer {
            closeHeld = false
            heldClose = nil
        }
        return heldClose
    }

    private func cancelDeadlines() {
        requestDeadline?.cancel()
        responseDeadline?.cancel()
        requestDeadline = nil
        responseDeadline = nil
    }
}
