import NIOCore
import NIOPosix

/// A group's event loops as one Swift task executor: each job runs on the loop of the thread that
/// queues it when that is one of the group's (a task resumed by a reply from the database continues on
/// the database connection's loop), else on the group's next loop; with no isolation, as
/// ``EventLoopTaskExecutor`` runs jobs.
///
/// `serve` runs its service group preferring it, so that every task the group's services start as
/// children (Hummingbird's connections, the pool's, the replies' service) makes its switches to the generic
/// executor in place: NIO's own executor of the loops, which runs every task, queues a job for each.
public final class EventLoopGroupTaskExecutor: TaskExecutor {
    let group: MultiThreadedEventLoopGroup

    public init(_ group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.any().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
