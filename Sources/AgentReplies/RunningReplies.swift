import AgentStore
import Synchronization

/// The replies this instance is generating, by message id. Another instance's replies are not here:
/// following one needs a request that reaches the instance running it (see the README).
public final class RunningReplies: Sendable {
    private let replies = Mutex<[MessageID: RunningReply]>([:])

    public init() {}

    /// The running reply `id` of `tenant`, nil when it is not running here or is another tenant's.
    public func reply(_ id: MessageID, of tenant: UserID) -> RunningReply? {
        replies.withLock { $0[id] }.flatMap { $0.tenant == tenant ? $0 : nil }
    }

    /// How many replies are running.
    public var count: Int { replies.withLock { $0.count } }

    /// Every running reply, to stop them all when the platform shuts down.
    func all() -> [RunningReply] { replies.withLock { Array($0.values) } }

    func insert(_ reply: RunningReply) {
        guard let id = reply.started?.id else { return }
        replies.withLock { $0[id] = reply }
    }

    func remove(_ id: MessageID) {
        replies.withLock { $0[id] = nil }
    }
}
