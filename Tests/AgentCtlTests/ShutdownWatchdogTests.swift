import Synchronization
import Testing

@testable import agentctl

/// The watchdog that ends a `serve` whose shutdown hangs: it waits for the shutdown to begin, then for
/// its bound, then ends the process saying why the shutdown began.
@Suite struct ShutdownWatchdogTests {
    final class Expiry: Sendable {
        let reasons = Mutex<[String]>([])
        var seen: [String] { reasons.withLock { $0 } }
    }

    @Test func itEndsTheProcessOnlyOnceArmedAndItsBoundHasPassed() async throws {
        let expiry = Expiry()
        let watchdog = ShutdownWatchdog(limit: .milliseconds(200)) { why in expiry.reasons.withLock { $0.append(why) } }
        // Not armed: nothing happens, however long.
        try await Task.sleep(for: .milliseconds(400))
        #expect(expiry.seen.isEmpty)
        watchdog.arm(because: "Application failed")
        watchdog.arm(because: "signal 15")
        for _ in 0..<500 where expiry.seen.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        // Once, for the first reason.
        try await Task.sleep(for: .milliseconds(300))
        #expect(expiry.seen == ["Application failed"])
    }
}
