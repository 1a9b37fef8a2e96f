import AgentStore

/// The operator's settings for generating replies.
public struct ReplySettings: Sendable {
    /// Limits of every tenant without an override of its own.
    public var defaultLimits: ChatLimits
    /// How much conversation a call carries.
    public var contextBudget: ContextBudget
    /// A reply still running after this long is stopped and stored as failed: a client that went away
    /// must not keep an upstream call alive for longer.
    public var timeLimit: Duration
    /// The longest `Retry-After` of a 429 that is waited out when no other connection is left.
    public var longestRetryAfter: Duration
    /// How long the outcome of a finished reply keeps being retried against an unavailable database.
    public var settlementPatience: Duration
    /// When the platform shuts down, how long running replies may go on to their end before they are
    /// stopped and stored as cancelled: below an orchestrator's grace period (Kubernetes' is 30 s).
    public var shutdownGrace: Duration
    /// How long a cancel of a reply that runs on another instance waits for that instance to store its end.
    public var elsewhereCancelWait: Duration
    /// How often a client following a reply that runs on another instance has its stored end read.
    public var elsewhereCheckInterval: Duration
    /// How often a reply followed from other instances has its new text published to them.
    public var relayInterval: Duration
    /// How long past its time limit and its settlement's patience a reply still `streaming` is taken for one
    /// whose instance stopped: a live generation's timer starts after its start commits, and its last
    /// settlement may still be under way at the patience's end.
    public var interruptionMargin: Duration
    /// How often a client following a running reply is told it still runs while no text comes (a
    /// reasoning model may think for minutes): proxies cut a stream silent for a minute or so.
    public var keepAliveInterval: Duration
    /// Generations this instance runs at once, stored replies and completions alike; one tenant may run a
    /// quarter of them (see ``GenerationSlots``).
    public var maximumRunning: Int

    public init(
        defaultLimits: ChatLimits = .unlimited, contextBudget: ContextBudget = ContextBudget(),
        timeLimit: Duration = .seconds(300), longestRetryAfter: Duration = .seconds(10),
        settlementPatience: Duration = .seconds(60), shutdownGrace: Duration = .seconds(15),
        elsewhereCancelWait: Duration = .seconds(5), elsewhereCheckInterval: Duration = .seconds(1),
        relayInterval: Duration = .milliseconds(50), interruptionMargin: Duration = .seconds(60),
        keepAliveInterval: Duration = .seconds(15), maximumRunning: Int = 512
    ) {
        self.defaultLimits = defaultLimits
        self.contextBudget = contextBudget
        self.timeLimit = timeLimit
        self.longestRetryAfter = longestRetryAfter
        self.settlementPatience = settlementPatience
        self.shutdownGrace = shutdownGrace
        self.elsewhereCancelWait = elsewhereCancelWait
        self.elsewhereCheckInterval = elsewhereCheckInterval
        self.relayInterval = relayInterval
        self.interruptionMargin = interruptionMargin
        self.keepAliveInterval = keepAliveInterval
        self.maximumRunning = maximumRunning
    }

    /// How long after its start a reply still `streaming` has lost its instance: past any live generation's end.
    public var interruptedAfter: Duration { timeLimit + settlementPatience + interruptionMargin }
}
