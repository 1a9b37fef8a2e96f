import Foundation
import Testing

@testable import AgentBench

/// The CPU readings of `bench chat`: they grow with work done, and a process that is not there reads as
/// nothing rather than as zero.
@Suite struct ProcessCPUTimeTests {
    @Test func ownTimeGrowsWithWork() throws {
        let before = try #require(ProcessCPUTime.ownSeconds)
        // Busy until the reading moves (ticks are 10 ms), within a bound that a loaded machine still meets.
        var sum: UInt64 = 0
        var after = before
        let deadline = ContinuousClock.now + .seconds(10)
        while after < before + 0.02, ContinuousClock.now < deadline {
            for _ in 0..<100_000 { sum &+= UInt64.random(in: 0...1) }
            after = try #require(ProcessCPUTime.ownSeconds)
        }
        #expect(sum > 0)
        #expect(after >= before + 0.02)
    }

    @Test func processesNotThereReadAsNothing() {
        #expect(ProcessCPUTime.seconds(pid: Int32.max) == nil)
        #expect(ProcessCPUTime.seconds(ofProcessesMentioning: "no-process-mentions-\(UUID().uuidString)") == nil)
    }

    @Test func readingsSubtractAndAddPerParty() {
        let earlier = ChatBenchmark.CPUReading(load: 1, server: 2, database: nil)
        let later = ChatBenchmark.CPUReading(load: 1.5, server: 2.25, database: 3)
        let used = later.since(earlier)
        #expect(used.load == 0.5 && used.server == 0.25 && used.database == nil)
        let total = used.adding(used)
        #expect(total.load == 1 && total.server == 0.5 && total.database == nil)
    }
}
