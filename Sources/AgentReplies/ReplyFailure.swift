import AgentProviders
import AgentStore

/// Why a reply failed, in the platform's words: a problem type, a status for clients that need one, and
/// a sentence. It never holds provider text, which could echo a key or a prompt.
public struct ReplyFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problem type's last path segment, stored in the message's `error`.
    public let slug: String
    /// The HTTP status this failure would answer with.
    public let status: Int
    public let title: String
    public let detail: String
    /// Whole seconds after which the same call may succeed, when the provider said so (its 429's
    /// `Retry-After`).
    public let retryAfterSeconds: Int?

    public var description: String { "\(slug): \(detail)" }

    static let noChatConnection = ReplyFailure(
        slug: "no-chat-connection", status: 422, title: "No chat connection",
        detail: "The agent has no linked connection whose service can answer (openai, anthropic).")
    static let timeLimit = ReplyFailure(
        slug: "reply-time-limit", status: 504, title: "Reply time limit",
        detail: "The reply took longer than the platform allows and was stopped.")
    static let tooLong = ReplyFailure(
        slug: "reply-too-long", status: 502, title: "Reply too long",
        detail: "The model provider sent more text than a message holds (\(Message.maximumContentLength) characters); "
            + "the reply was stopped there.")
    static let notStored = ReplyFailure(
        slug: "reply-not-stored", status: 500, title: "Reply not stored",
        detail: "The database refused the reply as generated; it was stored without its text.")
    static let keyUnavailable = ReplyFailure(
        slug: "connection-key-unavailable", status: 503, title: "Connection key unavailable",
        detail: "The connection's API key could not be opened.")
    /// The instance running the reply stopped before storing its end (the type that
    /// `agentctl replies settle-interrupted` stores).
    static let interrupted = ReplyFailure(
        slug: InterruptedReplies.slug, status: 503, title: "Reply interrupted",
        detail: "The instance of the platform that ran the reply stopped before storing its end.")
    /// A reply stopped by a cancel after it began (499, as a call cancelled before it began).
    public static let cancelledMidway = ReplyFailure(
        slug: "reply-cancelled", status: 499, title: "Reply cancelled", detail: "The reply was cancelled before it ended.")
    /// A call stopped by the platform's shutdown at the end of its grace: another instance answers at once.
    public static let shutDown = ReplyFailure(
        slug: Message.stoppedByShutdown, status: 503, title: "Service unavailable",
        detail: "The platform shut down before the reply ended; try again.", retryAfterSeconds: 1)
    /// A reply deleted while it ran (with its conversation, say), which also stopped it.
    public static let deleted = ReplyFailure(
        slug: "reply-cancelled", status: 499, title: "Reply cancelled",
        detail: "The reply was deleted (with its conversation, say) before it ended.")
    /// The provider refused the prompt as longer than the model's context window: a request error, which
    /// the same request repeats.
    public static let contextLengthExceeded = ReplyFailure(
        slug: "context-length-exceeded", status: 400, title: "Context length exceeded",
        detail: "The conversation is longer than the model's context window; send fewer or shorter messages, "
            + "or lower the agent's max_tokens.")
    static let platformUnavailable = ReplyFailure(
        slug: "unavailable", status: 503, title: "Service unavailable",
        detail: "The platform could not reach its database; try again.")

    /// The failure a provider call ended with.
    public init(_ error: ProviderCallError) {
        switch error {
        case .refusedAddress:
            self.init(
                slug: "provider-address-refused", status: 502, title: "Provider address refused",
                detail: "The connection's base URL resolves to an address the platform does not call.")
        case .unreachable(let reason):
            // Why, in the platform's words (a refused connection reads apart from a provider that stays silent).
            self = .providerUnreachable("The model provider could not be reached: \(reason).")
        case .rateLimited(let retryAfter):
            // When to try again, where the provider said: the reader's next question.
            let seconds = retryAfter?.wholeSecondsRoundedUp
            self.init(
                slug: "provider-rate-limited", status: 429, title: "Provider rate limit",
                detail: "The model provider refused the call for its rate limit"
                    + (seconds.map { "; try again in \($0) s." } ?? "; try again shortly."),
                retryAfterSeconds: seconds)
        case .unavailable:
            self.init(
                slug: "provider-unavailable", status: 502, title: "Provider unavailable",
                detail: "The model provider answered with a server error.")
        case .failed(let failure):
            self.init(failure)
        case .cancelled:
            self.init(
                slug: "reply-cancelled", status: 499, title: "Reply cancelled", detail: "The reply was cancelled before it began."
            )
        case .rejected(_, .contextLengthExceeded):
            self = .contextLengthExceeded
        case .rejected(let status, let failure):
            // The provider's error kind (sanitized, never its message) says which: `model_not_found`,
            // `authentication_error`, ...
            let kind = if case .provider(let kind) = failure, kind != ProviderFailure.unknownKind { ", \(kind)" } else { "" }
            // What to check, by what the status says: a key refused, a model (or path) unknown, else either.
            let advice =
                switch status {
                case 401, 403: "check the connection's API key"
                case 404: "check the model's name, and the connection's base URL if it has one"
                // A redirect is not followed (it could lead anywhere, a private address included).
                case 300..<400: "it redirected the call, which the platform does not follow; check the connection's base URL"
                default: "check the connection's key and the model's name"
                }
            self = .providerRejected("The model provider refused the call (HTTP \(status)\(kind)); \(advice).")
        }
    }

    /// The failure a reply stream ended with after it had started.
    init(_ failure: ProviderFailure) {
        switch failure {
        case .provider(let kind):
            self = .providerError("The model provider stopped the reply with an error (\(kind)).")
        case .protocolViolation:
            self.init(
                slug: "provider-protocol-error", status: 502, title: "Provider protocol error",
                detail: "The model provider's answer broke its wire protocol.")
        case .timedOut:
            self.init(
                slug: "provider-stalled", status: 504, title: "Provider stalled",
                detail: "The model provider went silent in the middle of the reply.")
        case .connectionLost:
            self.init(
                slug: "provider-connection-lost", status: 502, title: "Provider connection lost",
                detail: "The connection to the model provider broke in the middle of the reply.")
        case .contextLengthExceeded:
            self = .contextLengthExceeded
        }
    }

    init(slug: String, status: Int, title: String, detail: String, retryAfterSeconds: Int? = nil) {
        self.slug = slug
        self.status = status
        self.title = title
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }
}

extension ReplyFailure {
    /// A failure read back from a stored reply, which keeps only its problem type: told as it was told live
    /// where its words did not depend on the moment (a time limit is still a 504), else as a 502 that names
    /// its type.
    public init(storedSlug slug: String) {
        if let known = Self.toldAlike.first(where: { $0.slug == slug }) {
            self = known
        } else {
            self.init(slug: slug, status: 502, title: "Reply failed", detail: "The reply failed (\(slug)); see the problem type.")
        }
    }

    /// A failure read back from a stored reply of `status`: a cancelled reply marked `unavailable` was
    /// stopped by the platform's shutdown (a failed one could not reach the database).
    public init(storedSlug slug: String, of status: Message.Status) {
        if status == .cancelled, slug == Message.stoppedByShutdown {
            self = .shutDown
        } else {
            self.init(storedSlug: slug)
        }
    }

    /// The failures whose status, title and detail are the same whenever they happen.
    private static let toldAlike: [ReplyFailure] = [
        .noChatConnection, .timeLimit, .tooLong, .notStored, .keyUnavailable, .interrupted, .cancelledMidway,
        .contextLengthExceeded, .platformUnavailable,
        ReplyFailure(.refusedAddress(host: "")),
        .providerUnreachable("The model provider could not be reached."),  // its reason is not stored
        ReplyFailure(.rateLimited(retryAfter: nil)),
        ReplyFailure(.unavailable(status: 500)), ReplyFailure(.protocolViolation(.endedEarly)),
        ReplyFailure(ProviderFailure.timedOut),
        ReplyFailure(ProviderFailure.connectionLost),
        // Told live with the provider's status or error kind, which are not stored: the rest of their words.
        .providerRejected("The model provider refused the call; check the connection's key and the model's name."),
        .providerError("The model provider stopped the reply with an error."),
    ]

    // The failures told with words that depend on the moment: one slug, status and title each, live or stored.
    private static func providerUnreachable(_ detail: String) -> ReplyFailure {
        ReplyFailure(slug: "provider-unreachable", status: 502, title: "Provider unreachable", detail: detail)
    }

    private static func providerRejected(_ detail: String) -> ReplyFailure {
        ReplyFailure(slug: "provider-rejected", status: 502, title: "Provider rejected the call", detail: detail)
    }

    private static func providerError(_ detail: String) -> ReplyFailure {
        ReplyFailure(slug: "provider-error", status: 502, title: "Provider error", detail: detail)
    }
}
