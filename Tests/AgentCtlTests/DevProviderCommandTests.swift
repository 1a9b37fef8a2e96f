import AgentTestSupport
import Foundation
import Testing

/// `agentctl dev provider` as a newcomer runs it: it says where it listens, answers there, refuses a bad
/// script by name, and stops on SIGTERM.
@Suite struct DevProviderCommandTests {
    @Test func itListensWhereItSaysAndStopsOnSigterm() async throws {
        // Below Linux's ephemeral range, which the parallel run's other listeners and connections draw from.
        let port = Int.random(in: 25_001...29_000)
        let emulator = try ServingAgentCtl(["dev", "provider", "--port", "\(port)", "--script", "chunks=2"])

        #expect(try await emulator.waitUntilServing("/v1/models", port: port, attempts: 300) == 200)
        #expect(ServeCommandTests.status(of: "/_emulator/stats", port: port) == 200)

        #expect(try await emulator.stopsCleanlyOnSigterm())
        #expect(emulator.printed.contains("base URL: http://127.0.0.1:\(port)"))
        #expect(ServeCommandTests.status(of: "/v1/models", port: port) == nil)
    }

    @Test func aBadScriptIsRefusedByName() async throws {
        let run = try await AgentCtlRun(["dev", "provider", "--port", "0", "--script", "chunks=many"], environment: [:])
        #expect(run.status != 0)
        #expect(run.errors.contains("--script") && run.errors.contains("chunks"))
        let port = try await AgentCtlRun(["dev", "provider", "--port", "70000"], environment: [:])
        #expect(port.status != 0 && port.errors.contains("--port"))
    }
}
