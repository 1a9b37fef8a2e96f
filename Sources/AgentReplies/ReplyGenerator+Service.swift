import ServiceLifecycle

extension ReplyGenerator: Service {
    /// Runs until the platform shuts down, then drains: no reply starts any more (``isShuttingDown``), the
    /// running ones get the settings' `shutdownGrace` to end on their own, and those still running are then
    /// stopped and stored as `cancelled` (within ten seconds more), so that their clients' streams end too.
    /// Settlements still retrying against an unavailable database then give up within ``lastSettlements``.
    ///
    /// `serve` lists it after the API in its service group: services stop in reverse order, so the replies
    /// drain while the server still answers (their followers' streams, and a 503 to a new reply), and the
    /// database pool, stopped with the API, is still there for their last writes.
    ///
    /// Until the drain ends, it also stops the replies that another instance was asked to cancel
    /// (``receiveCancels()``).
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await receiveCancels() }
            try? await gracefulShutdown()
            running.close()
            await waitForRunning(upTo: settings.shutdownGrace)
            // With the database away, a settlement would retry for its whole patience (a minute), holding the
            // drain, its followers' streams and with them the server's shutdown. It gets a few seconds now;
            // what it could not store, the sweep of interrupted replies (`InterruptedReplySweep`, or
            // `agentctl replies settle-interrupted`) settles later.
            running.settle(by: ContinuousClock.now + Self.lastSettlements)
            await stopAll()
            await waitForRunning(upTo: .seconds(10))
            group.cancelAll()
        }
    }

    /// How long, once the grace has passed, a settlement may still retry against an unavailable database.
    static let lastSettlements = Duration.seconds(5)

    /// Whether the platform is shutting down: a new reply is refused (503), so that a load balancer tries
    /// another instance.
    public var isShuttingDown: Bool { running.isClosed }

    private func waitForRunning(upTo limit: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while running.count > 0, clock.now < deadline {
            // Cancelled, the service group wants the process down now: a sleep would end at once, and the
            // loop spin a core to the deadline.
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
    }
}
