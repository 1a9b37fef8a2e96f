import AgentStore
import NIOCore

/// One reply being generated on this instance: the text so far and the clients following it.
///
/// A follower that joins late gets what was generated so far as one delta, then the rest live, so a
/// client that reloads loses nothing. A stored reply's generation does not depend on any follower: a
/// client that goes away only ends its own stream. A call that stores nothing (a chat completion outside a
/// conversation) stops when its last follower goes: no one could read the rest.
public actor RunningReply {
    public let tenant: UserID
    /// The reply as stored when it started; nil for a call that stores no reply.
    public let started: Message?
    private var text = ""
    private var end: ReplyEnd?
    /// The wake-ups of the clients following the reply live (each reads the text itself).
    private var followers: [Int: AsyncStream<Void>.Continuation] = [:]
    /// Those waiting for the end alone, who are handed no text.
    private var endWaiters: [Int: AsyncStream<ReplyProgress>.Continuation] = [:]
    private var nextFollower = 0
    private var stop: (@Sendable () -> Void)?
    /// How long a follower waits for text before it may say it waits (woken three times as often, so that
    /// no silence lasts much longer).
    private let keepAliveInterval: Duration?
    /// The loop whose timer wakes the followers: a timer of NIO's rather than a sleeping task, which `serve`
    /// would hand to Dispatch's timer thread (NIO takes over Swift's jobs, not its delayed ones) as each
    /// reply's first follower came, on the way to the first token.
    private let timers: any EventLoop
    /// Wakes the followers every third of `keepAliveInterval`, from the first follower to the end.
    private var keepAlive: RepeatedTask?
    /// Why the generation was told to stop, if it was.
    private(set) var stopReason: StopReason?

    enum StopReason: Sendable {
        /// A client cancelled: the reply keeps its text with status `cancelled`.
        case cancelled
        /// The platform shut down at the end of its grace: stored as a cancel, but a client that has no
        /// status to read is told to try again (on another instance).
        case shutdown
        /// The platform's time limit ran out: the reply keeps its text with status `failed`.
        case timeLimit
        /// The provider sent more text than a message holds: the reply keeps what fits, with status `failed`.
        case tooLong
    }

    init(tenant: UserID, started: Message?, keepAliveInterval: Duration?, timers: any EventLoop) {
        self.tenant = tenant
        self.started = started
        self.keepAliveInterval = keepAliveInterval
        self.timers = timers
    }

    /// Clients that may follow one live reply at once. Each costs little (see ``ReplyFollower``), but its
    /// client's connection and a copy of the text it reads at once: a bound still.
    public static let maximumFollowers = 32

    /// The reply's progress from its start: what happened so far, then live until the end; nil when
    /// ``maximumFollowers`` already follow it live.
    public func follow() -> ReplyFollower? {
        guard end != nil || followers.count < Self.maximumFollowers else { return nil }
        let (wakeUps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if end == nil {
            followers[register(continuation)] = continuation
            startKeepAlive()
        } else {
            continuation.finish()
        }
        return ReplyFollower(following: self, started: started, wakeUps: wakeUps, silenceAfter: keepAliveInterval)
    }

    /// How the reply ended, once it has; nil if the wait was cancelled first.
    public func outcome() async -> ReplyEnd? {
        if let end { return end }
        // Only the end is kept for this wait, however much text comes before it.
        let (stream, continuation) = AsyncStream.makeStream(of: ReplyProgress.self, bufferingPolicy: .bufferingNewest(1))
        endWaiters[register(continuation)] = continuation
        for await progress in stream {
            if case .ended(let end) = progress { return end }
        }
        return end
    }

    /// The text from UTF-8 byte `offset` on, and the reply's end once it has ended (the text is then whole).
    ///
    /// Only that part is copied: a follower, and the relay of a reply to another instance, keep no second
    /// copy of its text (the relay takes none of the ``maximumFollowers`` slots either).
    func progress(fromUTF8 offset: Int) -> (text: String, end: ReplyEnd?) {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: min(max(offset, 0), utf8.count))
        return (String(decoding: utf8[start...], as: UTF8.self), end)
    }

    /// The text generated so far (the whole text once the reply has ended).
    public var textSoFar: String { text }

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
        for follower in followers.values { follower.yield(()) }
    }

    func finish(_ ending: ReplyEnd) {
        guard end == nil else { return }
        end = ending
        for follower in followers.values {
            follower.yield(())
            follower.finish()
        }
        for waiter in endWaiters.values {
            waiter.yield(.ended(ending))
            waiter.finish()
        }
        followers = [:]
        endWaiters = [:]
        stop = nil
        keepAlive?.cancel()
        keepAlive = nil
    }

    private func startKeepAlive() {
        guard keepAlive == nil, let interval = keepAliveInterval else { return }
        let period = TimeAmount(interval / 3)
        keepAlive = timers.scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] timer in
            guard let self else { return timer.cancel() }
            Task { await self.wakeFollowers() }
        }
    }

    /// A wake-up with nothing new: a follower that asked to hear of silences hears of one.
    private func wakeFollowers() {
        for follower in followers.values { follower.yield(()) }
    }

    /// A new id for `continuation`, forgotten when its stream ends.
    private func register<Event>(_ continuation: AsyncStream<Event>.Continuation) -> Int {
        let id = nextFollower
        nextFollower += 1
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unfollow(id) }
        }
        return id
    }

    private func unfollow(_ id: Int) {
        let wasFollowing = followers.removeValue(forKey: id) != nil
        endWaiters[id] = nil
        // A call that stores no reply cannot be followed again: once its last client has gone, what it would
        // generate reaches no one, so the provider's call is stopped (and settled with its usage so far).
        if wasFollowing, started == nil, followers.isEmpty { halt(.cancelled) }
    }
}
