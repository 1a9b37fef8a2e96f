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
///   past the high-water mark because the client reads nothing); a client that reads steadily makes it
///   writable again, as long responses are written in slices (a single write of megabytes stays pending
///   until all of it has drained). The pending write then fails, and the handler lets go.
final class SlowClientDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limit: TimeAmount
    private var requestDeadline: Scheduled<Void>?
    private var responseDeadline: Scheduled<Void>?

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
        } else if responseDeadline == nil {
            responseDeadline = closing(context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadlines()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadlines()
    }

    private func closing(_ context: ChannelHandlerContext) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: nil) }
    }

    private func cancelDeadlines() {
        requestDeadline?.cancel()
        responseDeadline?.cancel()
        requestDeadline = nil
        responseDeadline = nil
    }
}
