import AgentTestSupport
import Foundation

/// One finished run of the `agentctl` binary built beside the tests.
struct AgentCtlRun {
    let status: Int32
    let output: String
    let errors: String

    /// Runs `agentctl arguments` with only `PATH` and `environment` set, so no key or
    /// database from the developer's shell leaks in; terminated after `timeout` seconds.
    init(_ arguments: [String], environment: [String: String], timeout: Int = 120) async throws {
        let run = try await ChildProgram.run(
            try Self.binary().path, arguments: arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }, timeLimit: .seconds(timeout))
        self.status = run.status
        self.output = run.output
        self.errors = run.errors
    }

    /// `agentctl` in the build folder of the running test binary; `swift test` builds it.
    static func binary() throws -> URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = folder.appending(path: "agentctl")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path])
        }
        return binary
    }

    /// A new, empty `AGENT_PLATFORM_HOME` for one test (its caller removes it).
    static func freshHome(_ label: String) throws -> URL {
        let home = FileManager.default.temporaryDirectory.appending(path: "agentctl-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return home
    }
}
