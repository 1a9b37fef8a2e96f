import AgentStore
import HTTPTypes
import Logging
import Synchronization

/// Logs the requests the server failed (5xx): each unknown error by its type, and a database's by its
/// SQL state, alone (its description may hold data, so that goes to debug only), and 503s, which a database that is away, a pool too small for
/// the load or a shutdown answers to every request, as one line per cause and `outageInterval` with how
/// many there were; a model provider's failures (502, 504) likewise, one line per problem type and interval.
///
/// The pool already logs the loss of its connections and their return once each; a line per request on
/// top would write thousands of lines a second through an outage under load, and one per probe of
/// `/ready` while it says the database is unreachable.
final class FailedRequestLog: Sendable {
    let outageInterval: Duration
    private struct Outage {
        var lastLine: ContinuousClock.Instant
        var unlogged = 0
    }
    /// By cause: the store's reason, or a problem's detail (the platform's own texts, so there are few;
    /// beyond `maximumCauses` the rest share one line).
    private let outages = Mutex<[String: Outage]>([:])
    static let maximumCauses = 64

    init(outageInterval: Duration = .seconds(10)) {
        self.outageInterval = outageInterval
    }

    /// Records that `error` was answered with `problem`; nothing for a client's error.
    func record(_ error: any Error, as problem: Problem, logger: Logger) {
        switch problem.status.code {
        // A 501 refuses what the client asked for (a transfer coding the server does not read): nothing failed.
        case ..<500, 501:
            return
        case 503:
            // The store's reason names internals (a key id, the pool's wait) for the operator, never a secret.
            let cause = if case StoreError.unavailable(let reason) = error { reason } else { problem.detail }
            recordOutage(cause, answered: 503, logger: logger)
        case 502, 504:
            // A model provider failed a tenant's request (a bad key, a provider down): the platform did not, and
            // one tenant's broken connection must not fill the error log; but every tenant's calls failing at once
            // (egress, DNS, a provider's outage) must show. One warning per problem type and interval, counted.
            recordOutage(problem.type, answered: problem.status.code, logger: logger)
        default:
            var metadata: Logger.Metadata = ["error_type": "\(type(of: error))", "status": "\(problem.status.code)"]
            // The SQL state tells a missing migration (42P01, 42703) from a policy refusal (42501) or a bug.
            if let code = DatabaseFailureCode.of(error) { metadata["database_code"] = "\(code)" }
            logger.error("request failed", metadata: metadata)
            logger.debug("request failure detail", metadata: ["error": "\(String(describing: error).prefix(500))"])
        }
    }

    private func recordOutage(_ cause: String, answered status: Int, logger: Logger) {
        // One line stands for many requests, of many tenants: it names none.
        var logger = logger
        logger[metadataKey: "user_id"] = nil
        let now = ContinuousClock.now
        let (cause, answered): (String, Int?) = outages.withLock { outages in
            let cause = outages[cause] != nil || outages.count < Self.maximumCauses ? cause : "other causes"
            if let outage = outages[cause], now - outage.lastLine < outageInterval {
                outages[cause]?.unlogged += 1
                return (cause, nil)
            }
            let answered = (outages[cause]?.unlogged ?? 0) + 1
            outages[cause] = Outage(lastLine: now)
            return (cause, answered)
        }
        guard let answered else { return }
        logger.warning(
            "requests answered \(status)",
            metadata: ["cause": "\(cause)", "answered": "\(answered)", "interval": "\(outageInterval)"])
    }
}
