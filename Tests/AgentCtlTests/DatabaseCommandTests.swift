import AgentTestSupport
import Foundation
import Testing

/// `agentctl db status|stop` where no local cluster was ever made: a status a script can test, and a stop
/// that says there was nothing to stop.
@Suite struct DatabaseCommandTests {
    @Test func statusExits4AndStopSaysThereIsNothingWithoutACluster() async throws {
        let home = try AgentCtlRun.freshHome("db")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["AGENT_PLATFORM_HOME": home.path]
        let status = try await AgentCtlRun(["db", "status"], environment: environment)
        #expect(status.status == 4 && status.output.hasPrefix("not initialised ("), "\(status.output)")
        let stop = try await AgentCtlRun(["db", "stop"], environment: environment)
        #expect(stop.status == 0 && stop.output.contains("nothing to stop"), "\(stop.output)")
        #expect(!FileManager.default.fileExists(atPath: home.appending(path: ".local/postgres").path))
    }

    /// A command that starts the local cluster says so, once; a stop says whether there was one to stop.
    @Test func startingAndStoppingAreSaidAsTheyHappen() async throws {
        let home = try AgentCtlRun.freshHome("db")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["AGENT_PLATFORM_HOME": home.path]
        let started = try await AgentCtlRun(["db", "start"], environment: environment)
        let again = try await AgentCtlRun(["db", "start"], environment: environment)
        let stopped = try await AgentCtlRun(["db", "stop"], environment: environment)
        let twice = try await AgentCtlRun(["db", "stop"], environment: environment)
        #expect(started.status == 0 && started.errors.contains("note: started the local PostgreSQL in "), "\(started.errors)")
        #expect(again.status == 0 && !again.errors.contains("started the local PostgreSQL"), "\(again.errors)")
        #expect(stopped.status == 0 && stopped.output == "stopped\n", "\(stopped.output)")
        #expect(twice.status == 0 && twice.output == "already stopped\n", "\(twice.output)")
    }
}
