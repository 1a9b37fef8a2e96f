import ServiceLifecycle

extension ReplyGenerator: Service {
    /// Runs until the platform shuts down, then stops every running reply and waits (up to ten seconds)
    /// for each to be stored as `cancelled`. List it after the database pool among the application's
    /// services: services stop in reverse order, so the pool is still there for the replies' last writes.
    public func run() async throws {
        try? await gracefulShutdown()
        await stopAll()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while running.count > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
