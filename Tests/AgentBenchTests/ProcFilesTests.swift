import Foundation
import Testing

@testable import AgentBench

/// The `/proc` readings the benchmarks share.
@Suite struct ProcFilesTests {
    @Test func readsAStatusLineOfThisProcessAndOfAnother() {
        #expect(ProcFiles.status("Pid") == String(getpid()))
        #expect(ProcFiles.status("Pid", of: "\(getpid())") == String(getpid()))
        #expect(ProcFiles.status("No such line") == nil)
        #expect(ProcFiles.status("Pid", of: "\(Int32.max)") == nil)
    }

    @Test func findsThisProcessByItsCommandLineAndNoneByAFragmentNoOneHas() throws {
        let executable = try #require(CommandLine.arguments.first)
        #expect(ProcFiles.processes(mentioning: executable).contains(getpid()))
        #expect(ProcFiles.processes(mentioning: "no process mentions \(UUID().uuidString)").isEmpty)
    }
}
