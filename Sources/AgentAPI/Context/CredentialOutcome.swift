import AgentStore
import Logging
import Synchronization

/// What became of a request's credential, shared by every copy of the request's context: the middlewares
/// outside authentication (the access log, the failed-request log, the rate limits) see only the
/// response, and a context changed inside does not reach them.
public final class CredentialOutcome: Sendable {
    private struct Outcome {
        var refused = false
        var tenant: UserID?
    }

    private let outcome = Mutex(Outcome())

    init() {}

    /// The credential was presented and refused where the answer is no 401: a console page whose session is
    /// not valid sends its visitor to the sign-in page; the rate limits count it as a failed authentication
    /// all the same.
    public func noteRefused() {
        outcome.withLock { $0.refused = true }
    }

    var isRefused: Bool { outcome.withLock { $0.refused } }

    /// The request runs as `tenant`: the outer log lines name it, to follow one tenant's requests.
    func note(tenant: UserID) {
        outcome.withLock { $0.tenant = tenant }
    }

    var tenant: UserID? { outcome.withLock { $0.tenant } }

    /// `logger`, naming the tenant when the request ran as one (its id is not a secret).
    func naming(_ logger: Logger) -> Logger {
        guard let tenant else { return logger }
        var logger = logger
        logger[metadataKey: "user_id"] = .string(tenant.rawValue)
        return logger
    }
}
