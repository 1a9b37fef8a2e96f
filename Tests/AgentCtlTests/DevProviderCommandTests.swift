import AgentTestSupport
import Foundation
import Testing

/// `agentctl dev provider` as a newcomer runs it: it says where it listens, answers there, refuses a bad
/// script by name, and stops on SIGTERM.
@Suite struct DevProviderCommandTests {
    @Test func itListensWhereItSaysAndStopsOnSigterm() async throws {
        let port = Int.random(in: 46_001...50_000)
        let process = Process()
        process.executableURL = try AgentCtlRun.binary()
        process.arguments = ["dev", "provider", "--port", "\(port)", "--script", "chunks=2"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var models: Int?
        for _ in 0..<300 where models != 200 && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            models = ServeCommandTests.status(of: "/v1/models", port: port)
        }
        #expect(models == 200)
        #expect(ServeCommandTests.status(of: "/_emulator/stats", port: port) == 200)

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("base URL: http://127.0.0.1:\(port)"))
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
