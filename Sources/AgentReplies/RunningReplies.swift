import AgentStore
import Synchronization

/// The replies this instance is generating: stored replies by message id, and the OpenAI-compatible
/// completions that store none. Another instance's replies are not here: a client of this one follows
/// them through the database (`ReplyGenerator.endElsewhere`).
public final class RunningReplies: Sendable {
    private struct State {
        var stored: [MessageID: RunningReply] = [:]
        var unstored: [ObjectIdentifier: RunningReply] = [:]
        var closed = false
        /// When the drain's last wait ends: a settlement still retrying against an unavailable database gives
        /// up by then, rather than hold the shutdown for its whole patience.
        var settleBy: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init() {}

    /// The running reply `id` of `tenant`, nil when it is not running here or is another tenant's.
    public func reply(_ id: MessageID, of tenant: UserID) -> RunningReply? {
        state.withLock { $0.stored[id] }.flatMap { $0.tenant == tenant ? $0 : nil }
    }

    /// How many replies are running, stored or not.
    public var count: Int { state.withLock { $0.stored.count + $0.unstored.count } }

    /// Whether the platform is shutting down: no reply may start any more.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The running completions of `tenant` that store no reply (an account's deletion stops them).
    func unstored(of tenant: UserID) -> [RunningReply] {
        state.withLock { $0.unstored.values.filter { $0.tenant == tenant } }
    }

    /// Every running reply, to stop them all when the platform shuts down.
    func all() -> [RunningReply] { state.withLock { Array($0.stored.values) + Array($0.unstored.values) } }

    func close() {
        state.withLock { $0.closed = true }
    }

    /// The instant by which settlements still retrying give up, once the drain has set one.
    var settleBy: ContinuousClock.Instant? { state.withLock { $0.settleBy } }

    /// Settlements still retrying give up at `deadline` at the latest (the drain's last wait).
    func settle(by deadline: ContinuousClock.Instant) {
        state.withLock { $0.settleBy = deadline }
    }

    /// Adds `reply`; false when the drain has begun, which may have counted the replies already (a reply
    /// that passed the check for shutdown before it, then took its transaction's time to start).
    func insert(_ reply: RunningReply) -> Bool {
        state.withLock { state in
            if let id = reply.started?.id { state.stored[id] = reply } else { state.unstored[ObjectIdentifier(reply)] = reply }
            return !state.closed
        }
    }

    func remove(_ reply: RunningReply) {
        state.withLock { state in
            if let id = reply.started?.id { state.stored[id] = nil } else { state.unstored[ObjectIdentifier(reply)] = nil }
        }
    }
}
