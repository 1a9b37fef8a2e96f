import NIOCore
import NIOPosix

/// An event loop as a Swift task executor: a task that prefers it runs its jobs on that loop's thread
/// with no actor isolation, so a call into a `nonisolated` async function continues at once.
///
/// NIO runs the jobs it is given isolated to the loop (`asUnownedSerialExecutor()`), and `serve` has it
/// run every task that way. Each entry into a `nonisolated` async function is then a switch to the
/// generic executor: a job queued on the loop and run on its next tick. A 50-message page read over HTTP
/// queued about 557 jobs (reading a prepared statement's rows one `next()` at a time costs several a row),
/// a streamed reply of 20 pieces about 480; with the request, its reads, its generation and its body
/// preferring this executor, 35 and 68 (perf probes on `swift_task_enqueueGlobal`). Since `serve`'s service
/// group prefers the loops (``EventLoopGroupTaskExecutor``), which every request inherits, about 6.4 jobs
/// run per page read; this executor is left to the unstructured tasks, which inherit no preference, and
/// to streamed bodies (their channel's loop).
///
/// A loop that shuts down drops the jobs given to it: only for loops that outlive the tasks that prefer
/// them (those of `MultiThreadedEventLoopGroup.singleton`, in `serve`).
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The executor of the loop running the calling thread, if it is one of a `MultiThreadedEventLoopGroup`'s;
    /// nil elsewhere (Swift's own thread pool), where a task given it as its preference runs as any task.
    public static var current: EventLoopTaskExecutor? {
        MultiThreadedEventLoopGroup.currentEventLoop.map(EventLoopTaskExecutor.init)
    }

    /// `loop`'s executor when the calling thread runs an event loop (as every task of `serve` does), for a
    /// task that waits on what arrives there (a statement's rows, a response's body); nil elsewhere.
    public static func whenCallerIsOnALoop(_ loop: any EventLoop) -> EventLoopTaskExecutor? {
        MultiThreadedEventLoopGroup.currentEventLoop == nil ? nil : EventLoopTaskExecutor(loop)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
