import NIOPosix
import Synchronization

/// Blocking lookups (the system resolver's `getaddrinfo`) run on threads of their own, one at a time per
/// key, at most a few at a time per owner, and waited for with a deadline.
///
/// A resolver that stopped answering blocks `getaddrinfo` for as long as its own retries take (tens of
/// seconds with several search domains), and a thread that runs it cannot be interrupted. So callers that
/// ask for a key already being looked up wait for that lookup instead of queueing another, and each
/// caller stops waiting at its deadline or when its task is cancelled: a lookup that never returns holds
/// its thread, never its callers.
///
/// Keys come from owners (tenants, whose base URLs name hosts whose name servers they choose). An owner's
/// lookups hold at most `perOwner` threads at once, stalled ones included; its further keys wait for one of
/// its own to end. So names that never answer hold up their owner's lookups, not every owner's.
final class BlockingLookups<Value: Sendable>: Sendable {
    /// One key's lookup.
    private struct Lookup {
        /// Its callers, by number.
        var callers: [Int: AsyncStream<Value>.Continuation] = [:]
        /// Whose share it takes: the owner of the caller that started it (nil takes none).
        var owner: String?
        /// Given to the threads; otherwise waiting for its owner's share.
        var submitted: Bool
        let run: @Sendable () -> Value
    }

    private struct State {
        var lookups: [String: Lookup] = [:]
        var nextCaller = 0
        /// Lookups given to the threads and not finished, by owner.
        var submitted: [String: Int] = [:]
        /// Keys waiting for their owner's share, oldest first, by owner.
        var deferred: [String: [String]] = [:]
        let perOwner: Int

        func hasRoom(for owner: String?) -> Bool {
            owner.map { submitted[$0, default: 0] < perOwner } ?? true
        }

        mutating func take(_ owner: String?) {
            if let owner { submitted[owner, default: 0] += 1 }
        }

        /// A lookup of `owner`'s finished: its share is given back, to the owner's oldest deferred key that
        /// someone still waits for, if any, which is returned to be submitted.
        mutating func finished(ownedBy owner: String?) -> String? {
            guard let owner else { return nil }
            submitted[owner, default: 1] -= 1
            if submitted[owner] == 0 { submitted.removeValue(forKey: owner) }
            while var keys = deferred[owner], !keys.isEmpty {
                let key = keys.removeFirst()
                deferred[owner] = keys.isEmpty ? nil : keys
                guard var lookup = lookups[key], !lookup.submitted else { continue }
                guard !lookup.callers.isEmpty else {
                    lookups.removeValue(forKey: key)
                    continue
                }
                lookup.submitted = true
                lookups[key] = lookup
                take(owner)
                return key
            }
            return nil
        }
    }

    private let threads: NIOThreadPool
    private let state: Mutex<State>

    /// Runs lookups on `threads`, which the caller has started and owns; one owner's on at most
    /// `perOwner` of them at once.
    init(threads: NIOThreadPool, perOwner: Int = .max) {
        self.threads = threads
        state = Mutex(State(perOwner: max(1, perOwner)))
    }

    /// What `lookUp` gives for `key`: from the lookup of `key` already running, or a new one, which takes
    /// a share of `owner`'s. Nil when it did not come within `limit`, when the caller's task was cancelled,
    /// or when the threads have been shut down.
    func value(
        for key: String, owner: String? = nil, within limit: Duration, lookUp: @escaping @Sendable () -> Value
    ) async -> Value? {
        let (answer, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
        let (number, starts) = state.withLock { state in
            state.nextCaller += 1
            let number = state.nextCaller
            guard var lookup = state.lookups[key] else {
                let room = state.hasRoom(for: owner)
                state.lookups[key] = Lookup(callers: [number: continuation], owner: owner, submitted: room, run: lookUp)
                if room { state.take(owner) } else { state.deferred[owner ?? "", default: []].append(key) }
                return (number, room)
            }
            lookup.callers[number] = continuation
            // A key another owner's share holds back runs now on this caller's, if it has room.
            var starts = false
            if !lookup.submitted, state.hasRoom(for: owner) {
                if let previous = lookup.owner { state.deferred[previous]?.removeAll { $0 == key } }
                lookup.owner = owner
                lookup.submitted = true
                state.take(owner)
                starts = true
            }
            state.lookups[key] = lookup
            return (number, starts)
        }
        if starts { submit(key) }
        let deadline = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            continuation.finish()
        }
        defer {
            deadline.cancel()
            leave(key, caller: number)
        }
        // The iteration ends with the answer, at the deadline (the stream finished), or when this task
        // is cancelled (an `AsyncStream` ends its iteration then).
        for await value in answer { return value }
        return nil
    }

    /// Gives `key`'s lookup to the threads; when it ends, its owner's next deferred key follows.
    private func submit(_ key: String) {
        threads.submit { threadState in
            // Every caller gave up while this waited for a thread: the lookup would answer no one, and
            // would hold a thread that fresh lookups wait for. (A later caller then starts its own.)
            let run: (@Sendable () -> Value)? = self.state.withLock { state in
                guard let lookup = state.lookups[key], !lookup.callers.isEmpty else { return nil }
                return lookup.run
            }
            let value = threadState == .active ? run?() : nil
            let (callers, next) = self.state.withLock { state in
                let lookup = state.lookups.removeValue(forKey: key)
                return (lookup?.callers ?? [:], state.finished(ownedBy: lookup?.owner))
            }
            for caller in callers.values {
                if let value { caller.yield(value) }
                caller.finish()
            }
            if let next { self.submit(next) }
        }
    }

    /// A caller gone, answered or not: a lookup that never returns keeps no list of every caller it
    /// outlived, and one still waiting for its owner's share that no one waits for any more is dropped.
    private func leave(_ key: String, caller number: Int) {
        state.withLock { state in
            guard var lookup = state.lookups[key], lookup.callers.removeValue(forKey: number) != nil else { return }
            if lookup.callers.isEmpty, !lookup.submitted {
                state.lookups.removeValue(forKey: key)
                if let owner = lookup.owner { state.deferred[owner]?.removeAll { $0 == key } }
            } else {
                state.lookups[key] = lookup
            }
        }
    }

    /// Whether a lookup of `key` is queued or running.
    func isLookingUp(_ key: String) -> Bool {
        state.withLock { $0.lookups[key] != nil }
    }

    /// How many callers wait for the lookup of `key` now.
    func callers(of key: String) -> Int {
        state.withLock { $0.lookups[key]?.callers.count ?? 0 }
    }

    /// How many of `owner`'s lookups hold, or are queued for, a thread now.
    func lookups(of owner: String) -> Int {
        state.withLock { $0.submitted[owner, default: 0] }
    }
}
