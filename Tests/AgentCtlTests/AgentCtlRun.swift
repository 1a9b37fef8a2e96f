import Foundation

/// One finished run of the `agentctl` binary built beside the tests.
struct AgentCtlRun {
    let status: Int32
    let output: String
    let errors: String

    /// Runs `agentctl arguments` with only `PATH` and `environment` set, so no key or
    /// database from the developer's shell leaks in; killed after `timeout` seconds.
    init(_ arguments: [String], environment: [String: String], timeout: TimeInterval = 120) throws {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        // Files rather than pipes: nothing to drain while waiting.
        let folder = FileManager.default.temporaryDirectory.appending(path: "agentctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appending(path: "stdout")
        let errorsURL = folder.appending(path: "stderr")
        try Data().write(to: outputURL)
        try Data().write(to: errorsURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorsURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        self.status = process.terminationStatus
        self.output = String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
        self.errors = String(decoding: try Data(contentsOf: errorsURL), as: UTF8.self)
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
}
