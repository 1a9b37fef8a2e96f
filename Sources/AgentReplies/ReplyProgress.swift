import AgentStore

/// What a client following a reply sees, in order: `started` (for a stored reply), any number of
/// `delta`, then exactly one `ended`.
public enum ReplyProgress: Sendable, Equatable {
    /// The reply as stored when it started (status `streaming`).
    case started(Message)
    /// The next piece of the reply's text.
    case delta(String)
    /// How the reply ended.
    case ended(ReplyEnd)
}

/// How a reply ended.
public struct ReplyEnd: Sendable, Equatable {
    /// `complete`, `cancelled` or `failed`.
    public let status: Message.Status
    /// The whole text generated; kept when the reply failed or was cancelled.
    public let text: String
    public let finishReason: String?
    public let usage: MessageUsage
    /// Why it failed, when it did.
    public let failure: ReplyFailure?
    /// The reply as stored at its end; nil for a call that stores no reply, or when the database could
    /// not be reached to store it.
    public let message: Message?
    /// Whether the platform's shutdown stopped it (at the end of its grace), rather than a client's cancel.
    public var stoppedByShutdown = false
}

extension ReplyEnd {
    /// The end of a reply that is no longer running, as stored.
    public init(stored message: Message) {
        status = message.status
        text = message.content
        finishReason = message.generation?.finishReason
        usage = message.generation?.usage ?? MessageUsage.zero
        self.message = message
        // A reply the platform's shutdown stopped is cancelled, its error only marking it to be answered
        // again on a retry: it ends as it did when it was stopped.
        if message.wasStoppedByShutdown {
            failure = nil
            stoppedByShutdown = true
        } else {
            failure = message.generation?.error.map(ReplyFailure.init(storedSlug:))
        }
    }

    /// Why the text is not a whole answer: the failure, a client's cancel, or the platform's at the end of a
    /// shutdown's grace (a 503, to be tried again elsewhere); nil for a complete reply. For a client that
    /// has no status to read, such as OpenAI's, which would otherwise take cut text for the answer.
    public var shortfall: ReplyFailure? {
        failure ?? (status == .cancelled ? (stoppedByShutdown ? .shutDown : .cancelledMidway) : nil)
    }
}
