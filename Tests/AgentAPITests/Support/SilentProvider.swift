import NIOCore
import NIOPosix

/// A provider that takes connections and reads requests but never answers: a head that never comes, as
/// from a provider that queued the request and hung. Its requests may have been read, so billed.
struct SilentProvider {
    /// Runs `body` with the base URL of a silent provider on loopback.
    static func withRunning<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { _ in MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body("http://127.0.0.1:\(channel.localAddress?.port ?? 0)")
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
