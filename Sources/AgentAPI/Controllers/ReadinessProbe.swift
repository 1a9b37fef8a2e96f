import AgentStore

/// The database's readiness as `/ready` reports it: checked at most once per `freshness`, concurrent
/// probes sharing one check. `/ready` needs no credential and has no rate limit (an orchestrator calls it),
/// and each check borrows a pooled connection: a flood of probes took the pool from the API's requests.
///
/// A probe waits for the check at most `answerWithin` (under Kubernetes' default probe timeout of a second),
/// then answers unreachable while the check goes on, the next probes waiting on the same one: a database
/// that stopped answering without closing its connections (a frozen host) held every probe for the 40 s of
/// the statement deadline. A waiting probe is a continuation the check's end or its own timer resumes,
/// whichever comes first; nothing of it outlives its answer but a timer of `answerWithin`.
package actor ReadinessProbe {
    private let check: @Sendable () async -> Readiness
    private let freshness: Duration
    private let answerWithin: Duration
    private var last: (checkedAt: ContinuousClock.Instant, readiness: Readiness)?
    private var checking = false
    private var waiting: [UInt64: CheckedContinuation<Readiness, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    package init(
        freshness: Duration = .seconds(1), answerWithin: Duration = .milliseconds(900),
        check: @escaping @Sendable () async -> Readiness
    ) {
        self.freshness = freshness
        self.answerWithin = answerWithin
        self.check = check
    }

    package func readiness() async -> Readiness {
        if let last, ContinuousClock.now - last.checkedAt < freshness { return last.readiness }
        if !checking {
            checking = true
            let check = self.check
            Task { self.record(await check()) }
        }
        let waiter = nextWaiter
        nextWaiter += 1
        let limit = answerWithin
        return await withCheckedContinuation { continuation in
            waiting[waiter] = continuation
            Task {
                try? await Task.sleep(for: limit)
                self.giveUp(waiter)
            }
        }
    }

    /// A probe's wait is over: it answers unreachable, the check going on.
    private func giveUp(_ waiter: UInt64) {
        waiting.removeValue(forKey: waiter)?.resume(returning: .unreachable)
    }

    /// The check's answer, kept and given to every probe still waiting for it.
    private func record(_ checked: Readiness) {
        var readiness = checked
        // Busy says the database answers, not which schema it holds: the last version read still stands.
        if readiness == .busy, case .notMigrated = last?.readiness { readiness = last?.readiness ?? readiness }
        last = (.now, readiness)
        checking = false
        let answered = waiting
        waiting = [:]
        for continuation in answered.values { continuation.resume(returning: readiness) }
    }
}
