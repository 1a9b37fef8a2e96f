import Dispatch
import NIOPosix
import Synchronization
import Testing

@testable import AgentProviders

/// Lookups that block a thread (a resolver that stopped answering) hold their thread, never their callers:
/// a caller stops at its deadline or when cancelled, and callers of one name share one lookup.
@Suite struct BlockingLookupsTests {
    /// A lookup that blocks until `release()`, counting how often it was started.
    final class StalledLookup: Sendable {
        private let gate = DispatchSemaphore(value: 0)
        private let started = Atomic(0)

        var starts: Int { started.load(ordering: .relaxed) }

        func run(answer: Int) -> Int {
            started.add(1, ordering: .relaxed)
            gate.wait()
            return answer
        }

        /// Lets every blocked lookup return.
        func release(_ count: Int = 8) {
            for _ in 0..<count { gate.signal() }
        }
    }

    /// Runs `body` with lookups on `count` threads, at most `perOwner` of them an owner's, shut down afterwards.
    func withLookups(
        threads count: Int = 2, perOwner: Int = .max, _ body: (BlockingLookups<Int>) async throws -> Void
    ) async throws {
        let threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        try await body(BlockingLookups(threads: threads, perOwner: perOwner))
        try await threads.shutdownGracefully()
    }

    /// Polls `condition` every 20 ms for at most 10 s.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func aStalledLookupEndsItsCallersAtTheirDeadline() async throws {
        let stalled = StalledLookup()
        try await withLookups { lookups in
            let clock = ContinuousClock()
            let start = clock.now
            let value = await lookups.value(for: "stalled.example", within: .milliseconds(300)) { stalled.run(answer: 1) }
            #expect(value == nil)
            #expect(clock.now - start >= .milliseconds(300))
            // A second caller of the name waits for the same lookup rather than starting another.
            #expect(await lookups.value(for: "stalled.example", within: .milliseconds(100)) { stalled.run(answer: 2) } == nil)
            #expect(stalled.starts == 1)
            stalled.release()
        }
    }

    @Test func aCancelledCallerStopsWaiting() async throws {
        let stalled = StalledLookup()
        try await withLookups { lookups in
            let caller = Task { await lookups.value(for: "stalled.example", within: .seconds(600)) { stalled.run(answer: 1) } }
            try await Task.sleep(for: .milliseconds(200))
            caller.cancel()
            // Without the cancellation this would wait the full 600 s.
            #expect(await caller.value == nil)
            stalled.release()
        }
    }

    @Test func callersOfOneNameShareOneLookupAndALaterCallLooksUpAgain() async throws {
        let stalled = StalledLookup()
        try await withLookups { lookups in
            let callers = (0..<5).map { _ in
                Task { await lookups.value(for: "shared.example", within: .seconds(60)) { stalled.run(answer: 7) } }
            }
            // Another name is looked up on its own, beside the first.
            let other = Task { await lookups.value(for: "other.example", within: .seconds(60)) { stalled.run(answer: 9) } }
            for _ in 0..<500
            where lookups.callers(of: "shared.example") < 5 || lookups.callers(of: "other.example") < 1 || stalled.starts < 2 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(lookups.callers(of: "shared.example") == 5)
            #expect(stalled.starts == 2)
            stalled.release(2)
            for caller in callers { #expect(await caller.value == 7) }
            #expect(await other.value == 9)
            // The lookup ended, so the next call makes a new one.
            let again = Task { await lookups.value(for: "shared.example", within: .seconds(60)) { stalled.run(answer: 8) } }
            stalled.release()
            #expect(await again.value == 8)
            #expect(stalled.starts == 3)
        }
    }

    /// A lookup whose callers all gave up while it waited for a thread is not run: names that never answer
    /// cannot fill the threads' queue with lookups that answer no one, ahead of the next fresh one.
    @Test func aLookupNobodyWaitsForAnyMoreIsNotRun() async throws {
        let stalled = StalledLookup()
        try await withLookups { lookups in
            // Both threads held by lookups that do not return.
            let holders = ["a.example", "b.example"].map { name in
                Task { await lookups.value(for: name, within: .seconds(60)) { stalled.run(answer: 1) } }
            }
            for _ in 0..<500 where stalled.starts < 2 { try await Task.sleep(for: .milliseconds(20)) }
            // Queued behind them; its caller gives up first.
            #expect(await lookups.value(for: "queued.example", within: .milliseconds(200)) { stalled.run(answer: 2) } == nil)
            stalled.release(2)
            for holder in holders { #expect(await holder.value == 1) }
            var polls = 0
            while lookups.isLookingUp("queued.example"), polls < 500 {
                try await Task.sleep(for: .milliseconds(20))
                polls += 1
            }
            // The queued lookup was skipped: only the two holders ever ran the stalled lookup.
            #expect(!lookups.isLookingUp("queued.example"))
            #expect(stalled.starts == 2)
            // Its name is looked up again on the next call.
            let queuedAgain = await lookups.value(for: "queued.example", within: .seconds(5)) { 4 }
            #expect(queuedAgain == 4)
            stalled.release()  // a lookup run by mistake must not hold the threads' shutdown
        }
    }

    /// One owner's names that never answer hold its share of the threads and no more: another owner's
    /// lookup runs at once, and the first owner's next name waits for one of its own to end.
    @Test func anOwnersStalledLookupsHoldItsShareOfTheThreadsOnly() async throws {
        let stalled = StalledLookup()
        try await withLookups(threads: 4, perOwner: 2) { lookups in
            // The first two never answer; the third would answer at once, once it runs. It is asked for once the
            // two hold the attacker's share: asked for at once with them, it could run first (tasks start in
            // any order) and be over before the test looks.
            let lookUp = { (n: Int) in
                Task {
                    await lookups.value(for: "r\(n).attacker.example", owner: "attacker", within: .seconds(60)) {
                        n < 3 ? stalled.run(answer: n) : n
                    }
                }
            }
            var held = [lookUp(1), lookUp(2)]
            try await eventually { stalled.starts == 2 }
            held.append(lookUp(3))
            try await eventually { lookups.callers(of: "r3.attacker.example") == 1 }
            // Two of the attacker's three run; the third waits for its share, not for a thread.
            #expect(stalled.starts == 2)
            #expect(lookups.lookups(of: "attacker") == 2)
            let clock = ContinuousClock()
            let start = clock.now
            #expect(await lookups.value(for: "api.example", owner: "tenant", within: .seconds(5)) { 42 } == 42)
            // Far less than the stalled share's 60 s, however late a loaded machine resumes this task.
            #expect(clock.now - start < .seconds(10))
            // Another owner's lookup of the waiting name runs it on its own share.
            #expect(await lookups.value(for: "r3.attacker.example", owner: "tenant", within: .seconds(5)) { 0 } == 3)
            #expect(await held[2].value == 3)
            #expect(lookups.lookups(of: "attacker") == 2 && lookups.lookups(of: "tenant") == 0)
            stalled.release(2)
            #expect(await held[0].value == 1)
            #expect(await held[1].value == 2)
            try await eventually { lookups.lookups(of: "attacker") == 0 }
            #expect(lookups.lookups(of: "attacker") == 0)
        }
    }

    /// An owner's deferred name runs when one of its lookups ends; one whose callers all left meanwhile is
    /// dropped without running.
    @Test func anOwnersNextNameRunsWhenOneOfItsLookupsEnds() async throws {
        let stalled = StalledLookup()
        try await withLookups(threads: 4, perOwner: 1) { lookups in
            let first = Task {
                await lookups.value(for: "a.example", owner: "t", within: .seconds(60)) { stalled.run(answer: 1) }
            }
            try await eventually { stalled.starts == 1 }
            // Waits for the share; its caller gives up first, so it never runs.
            #expect(await lookups.value(for: "gone.example", owner: "t", within: .milliseconds(200)) { 9 } == nil)
            #expect(!lookups.isLookingUp("gone.example"))
            let next = Task { await lookups.value(for: "b.example", owner: "t", within: .seconds(60)) { 2 } }
            try await eventually { lookups.callers(of: "b.example") == 1 }
            try await Task.sleep(for: .milliseconds(100))
            #expect(lookups.isLookingUp("b.example") && stalled.starts == 1)
            stalled.release(1)
            #expect(await first.value == 1)
            #expect(await next.value == 2)
            #expect(stalled.starts == 1)
            try await eventually { lookups.lookups(of: "t") == 0 }
            #expect(lookups.lookups(of: "t") == 0)
        }
    }
}
