import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import AgentProviders

@Suite struct IdleWatchdogTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test func firesOnceAfterTheSilence() async throws {
        let watchdog = IdleWatchdog(idle: .milliseconds(50), loop: loop)
        let fired = Mutex(0)
        watchdog.start { fired.withLock { $0 += 1 } }
        try await Self.waitUntil(seconds: 5) { fired.withLock { $0 } > 0 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(fired.withLock { $0 } == 1)
        #expect(watchdog.stop())
    }

    @Test func whatIsHeardPushesItBack() async throws {
        let watchdog = IdleWatchdog(idle: .milliseconds(400), loop: loop)
        let fired = Mutex(false)
        watchdog.start { fired.withLock { $0 = true } }
        // A second of chunks, 50 ms apart: never a silence near 400 ms.
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(50))
            watchdog.heard()
        }
        #expect(!fired.withLock { $0 })
        #expect(!watchdog.stop())
    }

    @Test func stoppedItNeverFires() async throws {
        let watchdog = IdleWatchdog(idle: .milliseconds(50), loop: loop)
        let fired = Mutex(false)
        watchdog.start { fired.withLock { $0 = true } }
        #expect(!watchdog.stop())
        try await Task.sleep(for: .milliseconds(300))
        #expect(!fired.withLock { $0 })
    }

    /// Polls `condition` until it holds, for at most `seconds`.
    private static func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not hold within \(seconds) s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
