import AgentStore

/// One reply being generated on this instance: the text so far and the clients following it.
///
/// A follower that joins late gets what was generated so far as one delta, then the rest live, so a
/// client that reloads loses nothing. The generation does not depend on any follower: a client that
/// goes away only ends its own stream.
public actor RunningReply {
    public let tenant: UserID
    /// The reply as stored when it started; nil for a call that stores no reply.
    public let started: Message?
    private var text = ""
    private var end: ReplyEnd?
    private var followers: [Int: AsyncStream<ReplyProgress>.Continuation] = [:]
    private var nextFollower = 0
    private var stop: (@Sendable () -> Void)?
    /// Why the generation was told to stop, if it was.
    private(set) var stopReason: StopReason?

    enum StopReason: Sendable {
        /// A client cancelled: the reply keeps its text with status `cancelled`.
        case cancelled
        /// The platform's time limit ran out: the reply keeps its text with status `failed`.
        case timeLimit
        /// The provider sent more text than a message holds: the reply keeps what fits, with status `failed`.
        case tooLong
    }

    init(tenant: UserID, started: Message?) {
        self.tenant = tenant
        self.started = started
    }

    /// The reply's progress from its start: what happened so far, then live until the end.
    public func follow() -> AsyncStream<ReplyProgress> {
        let (stream, continuation) = AsyncStream.makeStream(of: ReplyProgress.self)
        if let started { continuation.yield(.started(started)) }
        if !text.isEmpty { continuation.yield(.delta(text)) }
        if let end {
            continuation.yield(.ended(end))
            continuation.finish()
            return stream
        }
        let id = nextFollower
        nextFollower += 1
        followers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unfollow(id) }
        }
        return stream
    }

    /// How the reply ended, once it has.
    public func outcome() async -> ReplyEnd? {
        for await progress in follow() {
            if case .ended(let end) = progress { return end }
        }
        return end
    }

    /// Asks the generation to stop; what was generated is kept, with status `cancelled`.
    public func cancel() {
        halt(.cancelled)
    }

    // MARK: Generation side

    func halt(_ reason: StopReason) {
        guard end == nil, stopReason == nil else { return }
        stopReason = reason
        stop?()
    }

    func onStop(_ body: @escaping @Sendable () -> Void) {
        stop = body
        if stopReason != nil { body() }
    }

    func append(_ piece: String) {
        guard end == nil, !piece.isEmpty else { return }
        text += piece
        for follower in followers.values { follower.yield(.delta(piece)) }
    }

    func finish(_ ending: ReplyEnd) {
        guard end == nil else { return }
        end = ending
        for follower in followers.values {
            follower.yield(.ended(ending))
            follower.finish()
        }
        followers = [:]
        stop = nil
    }

    private func unfollow(_ id: Int) {
        followers[id] = nil
    }
}
