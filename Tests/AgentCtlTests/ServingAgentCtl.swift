import Foundation

/// An `agentctl` command that serves until a signal (`serve`, `dev provider`), run as a process of its own
/// with only `PATH` and `environment` set.
final class ServingAgentCtl {
    let process = Process()
    /// What it printed, once it has stopped.
    private let output = Pipe()
    /// Its log, when kept (a pipe's buffer, 64 KiB: for commands that log little).
    private let errors: Pipe?

    init(_ arguments: [String], environment: [String: String] = [:], keepingLog: Bool = false) throws {
        process.executableURL = try AgentCtlRun.binary()
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        process.standardOutput = output
        errors = keepingLog ? Pipe() : nil
        process.standardError = errors ?? FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// The status of `GET path` once it answers 200, polled every 100 ms up to `attempts` times while the
    /// process runs; the last status seen otherwise.
    func waitUntilServing(_ path: String, port: Int, attempts: Int) async throws -> Int? {
        var status: Int?
        for _ in 0..<attempts where status != 200 && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            status = ServeCommandTests.status(of: path, port: port)
        }
        return status
    }

    /// Sends SIGTERM and waits up to 10 s; whether it exited with status 0 by then.
    func stopsCleanlyOnSigterm() async throws -> Bool {
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        return !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// What it printed to standard output (read once it has stopped).
    var printed: String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Its log, when kept (read once it has stopped).
    var logged: String {
        errors.map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) } ?? ""
    }
}
