import AgentStore
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy in front of the test database: it relays everything, or (`silentAfterLogin`) each
/// connection's login and then swallows whatever the client sends, which to the client is a server that
/// took the login and fell silent.
final class DatabaseProxy: Sendable {
    let port: Int
    private let listener: any Channel
    private let loginCount = Atomic<Int>(0)

    /// Logins relayed so far (each ended with the server's first ReadyForQuery).
    var logins: Int { loginCount.load(ordering: .relaxed) }

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    /// Listens on `port` of 127.0.0.1 (0: a free one).
    static func start(to database: DatabaseURL, port: Int = 0, silentAfterLogin: Bool) async throws -> DatabaseProxy {
        let box = Mutex<DatabaseProxy?>(nil)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { client in
                let toClient = Relay(swallowing: false)
                let toServer = Relay(swallowing: silentAfterLogin)
                toClient.onLogin = {
                    toServer.loggedIn = true
                    box.withLock { $0 }?.loginCount.add(1, ordering: .relaxed)
                }
                let upstream = ClientBootstrap(group: client.eventLoop).channelInitializer { $0.pipeline.addHandler(toClient) }
                let connecting =
                    if let directory = database.socketDirectory {
                        upstream.connect(unixDomainSocketPath: "\(directory)/.s.PGSQL.\(database.port)")
                    } else {
                        upstream.connect(host: database.host, port: database.port)
                    }
                return connecting.flatMap { server in
                    toClient.peer = client
                    toServer.peer = server
                    return client.pipeline.addHandler(toServer)
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        let proxy = DatabaseProxy(port: listener.localAddress?.port ?? 0, listener: listener)
        box.withLock { $0 = proxy }
        return proxy
    }

    func stop() async {
        try? await listener.close()
    }

    /// One direction of a relayed connection; both run on the client's event loop.
    private final class Relay: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        /// ReadyForQuery, idle: the end of a login.
        private static let ready: [UInt8] = [UInt8(ascii: "Z"), 0, 0, 0, 5, UInt8(ascii: "I")]

        private let swallowing: Bool
        var peer: (any Channel)?
        var loggedIn = false
        var onLogin: (() -> Void)?

        init(swallowing: Bool) {
            self.swallowing = swallowing
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if swallowing, loggedIn { return }
            if !swallowing, let onLogin, buffer.readableBytesView.firstRange(of: Self.ready) != nil {
                self.onLogin = nil
                onLogin()
            }
            peer?.writeAndFlush(buffer, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer?.close(promise: nil)
            context.fireChannelInactive()
        }
    }
}
