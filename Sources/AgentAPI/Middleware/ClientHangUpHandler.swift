import NIOCore
import NIOHTTPTypes

/// Signals a connection's ``ClientHangUp`` when its client hangs up: the end of the client's input (its
/// FIN, which the server sees as it keeps reading for the next request) or the connection's close.
///
/// A client that closes its sending side but still waits for the answer (HTTP allows it; few clients do
/// it) counts as gone too, as in Go's `net/http`: its request goes on, but a chat completion that stores
/// nothing stops its provider call.
final class ClientHangUpHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    let hangUp = ClientHangUp()

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { hangUp.signal() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        hangUp.signal()
        context.fireChannelInactive()
    }
}

extension Channel {
    /// The hang-up of this connection's client, where the connection has a ``ClientHangUpHandler`` (a
    /// served one; not a test's router).
    func clientHangUp() async -> ClientHangUp? {
        try? await eventLoop.submit { try self.pipeline.syncOperations.handler(type: ClientHangUpHandler.self).hangUp }.get()
    }
}
