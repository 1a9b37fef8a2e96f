import Foundation
import Testing

@testable import AgentBench

/// `bench chat --placement split`: the cores are halved between the load and the platform, and a pin
/// reaches every thread of a process.
@Suite struct CPUPlacementTests {
    @Test func halvesTheCoresWithTheOddOneToThePlatform() throws {
        let two = try #require(CPUPlacement.halves(of: [2, 3]))
        #expect(two.load == [2] && two.platform == [3])
        let five = try #require(CPUPlacement.halves(of: [0, 1, 4, 5, 6]))
        #expect(five.load == [0, 1] && five.platform == [4, 5, 6])
        #expect(CPUPlacement.halves(of: [7]) == nil)
    }

    @Test func readsTheCoresThisProcessMayRunOn() {
        let allowed = CPUPlacement.allowedCores()
        #expect(!allowed.isEmpty)
        #expect(allowed == allowed.sorted() && Set(allowed).count == allowed.count)
    }

    /// Every thread of this process is pinned (to the cores it had, so that the other tests run as before).
    @Test func pinsEveryThreadOfAProcess() throws {
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        let all = CPUPlacement.allowedCores()
        let pinned = CPUPlacement.pin(process: getpid(), to: all)
        #expect(pinned >= 1 && pinned <= threads + 4)
        #expect(CPUPlacement.allowedCores() == all)
    }

    @Test func findsNoPostgresForADatabaseThatNoBackendServes() {
        #expect(CPUPlacement.postgresProcesses(serving: "no_database_is_named_\(UUID().uuidString)").isEmpty)
    }

    @Test func aProcessThatIsNotThereIsNotPinned() {
        #expect(CPUPlacement.pin(process: Int32.max, to: CPUPlacement.allowedCores()) == 0)
    }
}
