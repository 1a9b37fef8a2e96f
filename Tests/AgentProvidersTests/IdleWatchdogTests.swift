import Foundation
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
        let idle = Duration.milliseconds(500)
        let watchdog = IdleWatchdog(idle: idle, loop: loop)
        // Started, then three idle times of chunks 10 ms apart, then stopped, all from a thread of its own (a
        // busy test process can hold back its tasks, not its threads; a test task resumed late would find a
        // watchdog that rightly fired after the chunks ended). The longest silence, from the start on, is
        // measured: only a run whose silences all stayed shorter than the idle time proves anything.
        let silenceHeard = Mutex(false)
        let (longestSilence, stoppedFired) = await withCheckedContinuation { continuation in
            Thread {
                let clock = ContinuousClock()
                watchdog.start { silenceHeard.withLock { $0 = true } }
                var last = clock.now
                let end = last + idle * 3
                var longest = Duration.zero
                while clock.now < end {
                    usleep(10_000)
                    watchdog.heard()
                    let now = clock.now
                    longest = max(longest, now - last)
                    last = now
                }
                continuation.resume(returning: (longest, watchdog.stop()))
            }.start()
        }
        if longestSilence < idle {
            #expect(!silenceHeard.withLock { $0 })
            #expect(!stoppedFired)
        }
    }

    @Test func stoppedItNeverFires() async throws {
        // An idle time far longer than the step from start to stop. A loaded machine can still hold the task
        // back longer than that, and the watchdog then rightly fires: only a run that stopped it in time
        // proves anything.
        let idle = Duration.milliseconds(500)
        let watchdog = IdleWatchdog(idle: idle, loop: loop)
        let fired = Mutex(false)
        let started = ContinuousClock.now
        watchdog.start { fired.withLock { $0 = true } }
        let stoppedFired = watchdog.stop()
        guard ContinuousClock.now - started < idle else { return }
        #expect(!stoppedFired)
        try await Task.sleep(for: .milliseconds(800))
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
