import NIOPosix
import Synchronization

/// Blocking lookups (the system resolver's `getaddrinfo`) run on threads of their own, one at a time per
/// key, and waited for with a deadline.
///
/// A resolver that stopped answering blocks `getaddrinfo` for as long as its own retries take (tens of
/// seconds with several search domains), and a thread that runs it cannot be interrupted. So callers that
/// ask for a key already being looked up wait for that lookup instead of queueing another, and each
/// caller stops waiting at its deadline or when its task is cancelled: a lookup that never returns holds
/// its thread, never its callers.
final class BlockingLookups<Value: Sendable>: Sendable {
    private struct Waiting {
        /// The callers of each key being looked up, by number.
        var callers: [String: [Int: AsyncStream<Value>.Continuation]] = [:]
        var next = 0
    }

    private let threads: NIOThreadPool
    private let waiting = Mutex(Waiting())

    /// Runs lookups on `threads`, which the caller has started and owns.
    init(threads: NIOThreadPool) {
        self.threads = threads
    }

    /// What `lookUp` gives for `key`: from the lookup of `key` already running, or a new one. Nil when
    /// it did not come within `limit`, when the caller's task was cancelled, or when the threads have
    /// been shut down.
    func value(for key: String, within limit: Duration, lookUp: @escaping @Sendable () -> Value) async -> Value? {
        let (answer, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
        let (number, starts) = waiting.withLock { waiting in
            waiting.next += 1
            let starts = waiting.callers[key] == nil
            waiting.callers[key, default: [:]][waiting.next] = continuation
            return (waiting.next, starts)
        }
        if starts {
            threads.submit { state in
                // Every caller gave up while this waited for a thread: the lookup would answer no one, and
                // would hold a thread that fresh lookups wait for. (A later caller then starts its own.)
                let abandoned = self.waiting.withLock { waiting in
                    guard waiting.callers[key]?.isEmpty ?? true else { return false }
                    waiting.callers.removeValue(forKey: key)
                    return true
                }
                if abandoned { return }
                let value = state == .active ? lookUp() : nil
                let callers = self.waiting.withLock { $0.callers.removeValue(forKey: key) ?? [:] }
                for caller in callers.values {
                    if let value { caller.yield(value) }
                    caller.finish()
                }
            }
        }
        let deadline = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            continuation.finish()
        }
        defer {
            deadline.cancel()
            // Gone before the answer: a lookup that never returns keeps no list of every caller it outlived.
            _ = waiting.withLock { $0.callers[key]?.removeValue(forKey: number) }
        }
        // The iteration ends with the answer, at the deadline (the stream finished), or when this task
        // is cancelled (an `AsyncStream` ends its iteration then).
        for await value in answer { return value }
        return nil
    }

    /// Whether a lookup of `key` is queued or running.
    func isLookingUp(_ key: String) -> Bool {
        waiting.withLock { $0.callers[key] != nil }
    }

    /// How many callers wait for the lookup of `key` now.
    func callers(of key: String) -> Int {
        waiting.withLock { $0.callers[key]?.count ?? 0 }
    }
}
