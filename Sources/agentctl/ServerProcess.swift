import AgentBench
import Foundation

/// `agentctl serve` in a child process, so that its memory is measured apart from the load generator.
final class ServerProcess: Sendable {
    private let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts this executable's `serve` on `port`, with `environment` added to a copy of ours minus the
    /// variables that would point it elsewhere (a configuration file could add keys beside `environment`'s).
    static func start(port: Int, environment: [String: String]) throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", "\(port)"]
        var variables = ProcessInfo.processInfo.environment
        variables["ADMIN_DATABASE_URL"] = nil
        variables["ENCRYPTION_KEYS"] = nil
        variables[Setting.configurationFileVariable] = nil
        variables["LOG_LEVEL"] = "warning"
        variables.merge(environment) { $1 }
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return ServerProcess(process: process, port: port)
    }

    /// Polls `/health` until the server answers (30 s at most).
    func waitUntilHealthy() async throws {
        for _ in 0..<300 {
            if !process.isRunning { throw CommandFailure("the server exited with status \(process.terminationStatus)") }
            if APIBenchmark.isHealthy(host: "127.0.0.1", port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure("the server did not become healthy within 30 seconds")
    }

    /// The server's peak resident memory (`VmHWM`), as the kernel reports it.
    var peakMemory: String {
        memory("VmHWM").map { String(format: "%.1fMB", $0) } ?? "unknown"
    }

    /// The server's resident memory now (`VmRSS`) in megabytes, or nil once it is gone.
    var residentMemory: Double? { memory("VmRSS") }

    /// The server's process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// The CPU seconds the server has used so far, or nil once it is gone.
    var cpuSeconds: Double? { ProcessCPUTime.seconds(pid: process.processIdentifier) }

    /// A size line of `/proc/<pid>/status`, in megabytes.
    private func memory(_ field: String) -> Double? {
        guard let value = ProcFiles.status(field, of: "\(process.processIdentifier)"),
            let kilobytes = value.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        return kilobytes / 1024
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }
}
