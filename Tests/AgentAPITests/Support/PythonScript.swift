import AgentTestSupport
import Foundation

/// Runs the project's Python test scripts with `python3` from `PATH`, the token on standard input (never in
/// the child's environment), and a bound on time.
enum PythonScript {
    struct Result {
        let status: Int32
        let output: String
    }

    static func canImport(_ module: String) async throws -> Bool {
        try await run(arguments: ["-c", "import \(module)"], environment: [:], input: "").status == 0
    }

    /// The package's root folder, where the scripts' paths start.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `script`; with `niceness`, at that lower CPU priority (children included), so that a heavy
    /// script (a browser) takes what the rest of the parallel test run leaves rather than starving it.
    static func run(
        _ script: String, environment: [String: String], input: String, timeLimit: Int = 120, niceness: Int? = nil
    ) async throws -> Result {
        try await run(
            arguments: [root.appendingPathComponent(script).path], environment: environment, input: input,
            timeLimit: timeLimit, niceness: niceness)
    }

    /// Every wait has a bound: a script that hangs is terminated after `timeLimit` seconds.
    private static func run(
        arguments: [String], environment: [String: String], input: String, timeLimit: Int = 120, niceness: Int? = nil
    ) async throws -> Result {
        var childEnvironment = environment
        for name in ["PATH", "HOME", "LANG", "VIRTUAL_ENV", "CHROMEDRIVER", "CHROMIUM_BINARY"] {
            if let value = ProcessInfo.processInfo.environment[name] { childEnvironment[name] = value }
        }
        let run = try await ChildProgram.run(
            "/usr/bin/env", arguments: (niceness.map { ["nice", "-n", String($0)] } ?? []) + ["python3"] + arguments,
            environment: childEnvironment, input: input + "\n", combiningErrors: true, timeLimit: .seconds(timeLimit))
        return Result(status: run.status, output: run.output)
    }
}
