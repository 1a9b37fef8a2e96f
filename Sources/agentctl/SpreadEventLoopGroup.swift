import Dispatch
import NIOCore

/// An event loop group whose `any()` is `next()`: it spreads the database pool's connections over every
/// loop of `base`.
///
/// PostgresNIO opens each connection on `group.any()`, which is the calling thread's own loop when there
/// is one. Once `serve` runs its tasks on the event loops, the pool would open every connection on the
/// loop its first request happened to run on, and the whole server would then work on one core.
final class SpreadEventLoopGroup: EventLoopGroup {
    private let base: any EventLoopGroup

    init(_ base: any EventLoopGroup) {
        self.base = base
    }

    func next() -> any EventLoop { base.next() }

    func any() -> any EventLoop { base.next() }

    func makeIterator() -> EventLoopIterator { base.makeIterator() }

    /// The base group belongs to its owner (here the process-wide singleton), which shuts it down.
    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        queue.async { callback(nil) }
    }

    func _preconditionSafeToSyncShutdown(file: StaticString, line: UInt) {
        base._preconditionSafeToSyncShutdown(file: file, line: line)
    }
}
