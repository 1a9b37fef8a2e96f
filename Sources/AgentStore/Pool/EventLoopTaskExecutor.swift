import NIOCore
import NIOPosix

/// An event loop as a Swift task executor: a task that prefers it runs its jobs on that loop's thread
/// with no actor isolation, so a call into a `nonisolated` async function continues at once.
///
/// NIO runs the jobs it is given isolated to the loop (`asUnownedSerialExecutor()`), and `serve` has it
/// run every task that way. Each entry into a `nonisolated` async function is then a switch to the
/// generic executor: a job queued on the loop and run on its next tick. A 50-message page made about 550
/// such switches (reading a prepared statement's rows one `next()` at a time costs several a row); a task
/// that prefers this executor makes them in place.
public final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The loop of the thread this is called on, if it is one of a `MultiThreadedEventLoopGroup`'s.
    public static var current: EventLoopTaskExecutor? {
        MultiThreadedEventLoopGroup.currentEventLoop.map(EventLoopTaskExecutor.init)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
