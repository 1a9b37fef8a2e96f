import AgentStore

/// The database's readiness as `/ready` reports it: checked at most once per `freshness`, concurrent
/// probes sharing one check. `/ready` needs no credential and has no rate limit (an orchestrator calls it),
/// and each check borrows a pooled connection: a flood of probes took the pool from the API's requests.
package actor ReadinessProbe {
    private let check: @Sendable () async -> Readiness
    private let freshness: Duration
    private var last: (checkedAt: ContinuousClock.Instant, readiness: Readiness)?
    private var running: Task<Readiness, Never>?

    package init(freshness: Duration = .seconds(1), check: @escaping @Sendable () async -> Readiness) {
        self.freshness = freshness
        self.check = check
    }

    package func readiness() async -> Readiness {
        if let last, ContinuousClock.now - last.checkedAt < freshness { return last.readiness }
        if let running { return await running.value }
        let check = self.check
        let task = Task { await check() }
        running = task
        var readiness = await task.value
        // Busy says the database answers, not which schema it holds: the last version read still stands.
        if readiness == .busy, case .notMigrated = last?.readiness { readiness = last?.readiness ?? readiness }
        last = (.now, readiness)
        running = nil
        return readiness
    }
}
