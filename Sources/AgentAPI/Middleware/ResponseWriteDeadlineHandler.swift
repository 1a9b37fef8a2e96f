import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client has read nothing of its response for `limit`.
///
/// Hummingbird's idle timeout does not run while a response is written, and a response body waits for
/// the connection to take more: a client that stops reading a long response (an export, a followed reply)
/// would hold it, and what it holds (an export's slot and snapshot, a follower's unread text), for as long
/// as it keeps the connection open. When the connection stays unwritable (its outbound buffer past the
/// high-water mark because the client reads nothing) for `limit`, it is closed; the pending write then
/// fails and the handler lets go. A client that reads, however slowly, makes it writable again.
final class ResponseWriteDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            deadline?.cancel()
            deadline = nil
        } else if deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
