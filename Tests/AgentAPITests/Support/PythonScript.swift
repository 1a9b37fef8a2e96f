import Foundation

/// Runs the project's Python test scripts with `python3` from `PATH`, the token on standard input (never in
/// the child's environment), and a bound on time.
enum PythonScript {
    struct Result {
        let status: Int32
        let output: String
    }

    static func canImport(_ module: String) throws -> Bool {
        try run(arguments: ["-c", "import \(module)"], environment: [:], input: "").status == 0
    }

    /// The package's root folder, where the scripts' paths start.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `script`; with `niceness`, at that lower CPU priority (children included), so that a heavy
    /// script (a browser) takes what the rest of the parallel test run leaves rather than starving it.
    static func run(
        _ script: String, environment: [String: String], input: String, timeLimit: Int = 120, niceness: Int? = nil
    ) async throws -> Result {
        let path = root.appendingPathComponent(script).path
        return try await Task.detached {
            try run(arguments: [path], environment: environment, input: input, timeLimit: timeLimit, niceness: niceness)
        }.value
    }

    private static func run(
        arguments: [String], environment: [String: String], input: String, timeLimit: Int = 120, niceness: Int? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = (niceness.map { ["nice", "-n", String($0)] } ?? []) + ["python3"] + arguments
        var childEnvironment = environment
        for name in ["PATH", "HOME", "LANG", "VIRTUAL_ENV", "CHROMEDRIVER", "CHROMIUM_BINARY"] {
            if let value = ProcessInfo.processInfo.environment[name] { childEnvironment[name] = value }
        }
        process.environment = childEnvironment
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data((input + "\n").utf8))
        try stdin.fileHandleForWriting.close()
        // Every wait has a bound: a script that hangs is killed after `timeLimit` seconds, which ends the read below.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeLimit), execute: watchdog)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }
}
