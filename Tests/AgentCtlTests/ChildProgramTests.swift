import AgentTestSupport
import Testing

/// The runner of the programs tests start: input, output, status, and the time limit.
@Suite struct ChildProgramTests {
    @Test func passesInputAndReturnsOutputAndStatus() async throws {
        let run = try await ChildProgram.run(
            "/bin/sh", arguments: ["-c", "cat; echo oops >&2; exit 3"], environment: ["PATH": "/usr/bin:/bin"],
            input: "hello", timeLimit: .seconds(60))
        #expect(run.status == 3 && run.output == "hello" && run.errors == "oops\n")
    }

    @Test func aProgramPastItsTimeLimitIsTerminatedAndReported() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: ChildProgramTimedOut.self) {
            try await ChildProgram.run("/bin/sleep", arguments: ["60"], environment: [:], timeLimit: .seconds(1))
        }
        // Terminated, not waited out (SIGTERM ends sleep at once; the bound only tells the two apart).
        #expect(clock.now - started < .seconds(30))
    }
}
