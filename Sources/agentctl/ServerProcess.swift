import AgentBench
import Foundation

/// `agentctl serve` in a child process, so that its memory is measured apart from the load generator.
final class ServerProcess: Sendable {
    private let process: Process
    /// The folder of the configuration file that carries the server's secrets.
    private let secretsFolder: URL
    let port: Int

    private init(process: Process, secretsFolder: URL, port: Int) {
        self.process = process
        self.secretsFolder = secretsFolder
        self.port = port
    }

    /// Starts this executable's `serve` on `port`, with `environment` added to what it inherits of ours
    /// (``passedEnvironment(_:)``).
    ///
    /// `secrets` (the database URL, the encryption key) reach it in a configuration file that only this
    /// user can read, removed when it stops, never in its environment: a process's environment can be read
    /// by others of its user (`/proc/<pid>/environ`) and is inherited by its children. No secret setting of
    /// ours is in the environment it inherits, since the environment would win over the file.
    static func start(port: Int, environment: [String: String], secrets: [Setting: String]) throws -> ServerProcess {
        let folder = FileManager.default.temporaryDirectory.appending(path: "agentctl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let file = folder.appending(path: "config.json")
        var tree: [String: Any] = [:]
        for (setting, value) in secrets { tree = Self.setting(setting.components[...], to: value, in: tree) }
        guard
            FileManager.default.createFile(
                atPath: file.path, contents: try JSONSerialization.data(withJSONObject: tree),
                attributes: [.posixPermissions: 0o600])
        else {
            try? FileManager.default.removeItem(at: folder)
            throw CommandFailure("could not write the server's configuration file in \(folder.path)")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", "\(port)"]
        var variables = Self.passedEnvironment(ProcessInfo.processInfo.environment)
        variables["LOG_LEVEL"] = "warning"
        variables.merge(environment) { $1 }
        variables[Setting.configurationFileVariable] = file.path
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return ServerProcess(process: process, secretsFolder: folder, port: port)
    }

    /// What the server inherits of `parent`: the platform's settings that are no secret, and where
    /// programs, locales and the home folder are. Nothing else: a secret of the operator's shell that is
    /// none of the platform's (`PGPASSWORD`, a cloud credential) stays with the benchmark.
    static func passedEnvironment(_ parent: [String: String]) -> [String: String] {
        let settings = Set(Setting.all.filter { !$0.isSecret }.map(\.variable))
        return parent.filter { name, _ in
            settings.contains(name) || ["PATH", "HOME", "LANG", "TZ"].contains(name) || name.hasPrefix("LC_")
        }
    }

    /// `tree` with `value` at the path of `components` (`["database", "url"]`: `{"database": {"url": ...}}`).
    private static func setting(_ components: ArraySlice<String>, to value: String, in tree: [String: Any]) -> [String: Any] {
        guard let first = components.first else { return tree }
        var tree = tree
        tree[first] =
            components.count == 1
            ? value : Self.setting(components.dropFirst(), to: value, in: tree[first] as? [String: Any] ?? [:])
        return tree
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

    /// Interrupts the server and waits for it to end, at most `patience`; then kills it.
    func stop(patience: Duration = .seconds(30)) {
        defer { try? FileManager.default.removeItem(at: secretsFolder) }
        guard process.isRunning else { return }
        process.interrupt()
        let deadline = ContinuousClock.now + patience
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
