import AgentStore
import HTTPTypes
import Logging
import Synchronization

/// Logs the requests the server failed (5xx): each unknown error by its type alone (its description may
/// hold data, so that goes to debug only), and 503s, which a database that is away or a shutdown answers
/// to every request, as one line per cause and `outageInterval` with how many there were.
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
    /// By cause: a problem's detail, from the platform's own fixed texts, so there are few.
    private let outages = Mutex<[String: Outage]>([:])

    init(outageInterval: Duration = .seconds(10)) {
        self.outageInterval = outageInterval
    }

    /// Records that `error` was answered with `problem`; nothing for a client's error.
    func record(_ error: any Error, as problem: Problem, logger: Logger) {
        switch problem.status.code {
        case ..<500:
            return
        case 503:
            let cause = if case StoreError.unavailable = error { "the database is unavailable" } else { problem.detail }
            recordOutage(cause, logger: logger)
        default:
            logger.error("request failed", metadata: ["error_type": "\(type(of: error))", "status": "\(problem.status.code)"])
            logger.debug("request failure detail", metadata: ["error": "\(String(describing: error).prefix(500))"])
        }
    }

    private func recordOutage(_ cause: String, logger: Logger) {
        let now = ContinuousClock.now
        let answered: Int? = outages.withLock { outages in
            if let outage = outages[cause], now - outage.lastLine < outageInterval {
                outages[cause]?.unlogged += 1
                return nil
            }
            let answered = (outages[cause]?.unlogged ?? 0) + 1
            outages[cause] = Outage(lastLine: now)
            return answered
        }
        guard let answered else { return }
        logger.warning(
            "requests answered 503", metadata: ["cause": "\(cause)", "answered": "\(answered)", "interval": "\(outageInterval)"])
    }
}
