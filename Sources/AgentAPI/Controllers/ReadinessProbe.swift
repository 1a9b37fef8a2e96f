import AgentStore

/// The database's readiness as `/ready` reports it: checked at most once per `freshness`, concurrent
/// probes sharing one check. `/ready` needs no credential and has no rate limit (an orchestrator calls it),
/// and each check borrows a pooled connection: a flood of probes took the pool from the API's requests.
///
/// A probe waits for the check at most `answerWithin`, then answers unreachable while the check goes on
/// (the next probes wait on the same one): a database that stopped answering without closing its
/// connections (a frozen host) held every probe for the 40 s of the statement deadline, past any
/// orchestrator's probe timeout.
package actor ReadinessProbe {
    private let check: @Sendable () async -> Readiness
    private let freshness: Duration
    private let answerWithin: Duration
    private var last: (checkedAt: ContinuousClock.Instant, readiness: Readiness)?
    private var running: Task<Readiness, Never>?

    package init(
        freshness: Duration = .seconds(1), answerWithin: Duration = .seconds(2), check: @escaping @Sendable () async -> Readiness
    ) {
        self.freshness = freshness
        self.answerWithin = answerWithin
        self.check = check
    }

    package func readiness() async -> Readiness {
        if let last, ContinuousClock.now - last.checkedAt < freshness { return last.readiness }
        let task = running ?? startCheck()
        return await Self.value(of: task, within: answerWithin) ?? .unreachable
    }

    /// Starts a check; its result is kept when it ends, however long after the probes that waited for it.
    private func startCheck() -> Task<Readiness, Never> {
        let check = self.check
        let task = Task { await check() }
        running = task
        Task { self.record(await task.value) }
        return task
    }

    private func record(_ checked: Readiness) {
        var readiness = checked
        // Busy says the database answers, not which schema it holds: the last version read still stands.
        if readiness == .busy, case .notMigrated = last?.readiness { readiness = last?.readiness ?? readiness }
        last = (.now, readiness)
        running = nil
    }

    /// `task`'s value, or nil if it has none within `limit` (the task goes on).
    private static func value(of task: Task<Readiness, Never>, within limit: Duration) async -> Readiness? {
        let (answers, answer) = AsyncStream.makeStream(of: Readiness?.self)
        let waiting = Task {
            answer.yield(await task.value)
            answer.finish()
        }
        let timing = Task {
            try? await Task.sleep(for: limit)
            answer.yield(nil)
            answer.finish()
        }
        defer {
            waiting.cancel()
            timing.cancel()
        }
        for await first in answers { return first }
        return nil
    }
}
