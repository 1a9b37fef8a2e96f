import Foundation
import Subprocess
import SystemPackage

/// One finished run of a program a test starts (the `agentctl` binary, a Python script), awaited without
/// holding a thread: `Process.waitUntilExit()` held one of the concurrency pool's two threads here for the
/// program's whole run (both, when two such tests overlapped), and every other test of the parallel run
/// stalled behind it (16 workers on the pool once got 4 requests through in 3 s, against 4,000 alone).
public struct ChildProgram: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended the program.
    public let status: Int32
    /// Standard output (with standard error too when the run combined them).
    public let output: String
    public let errors: String

    /// Runs `executable` with exactly `environment` and `input` on its standard input. After `timeLimit`
    /// it is terminated (SIGTERM, then SIGKILL 5 s later) and ``ChildProgramTimedOut`` is thrown.
    public static func run(
        _ executable: String, arguments: [String], environment: [String: String], input: String = "",
        combiningErrors: Bool = false, timeLimit: Duration
    ) async throws -> ChildProgram {
        let variables = Dictionary(
            uniqueKeysWithValues: environment.compactMap { name, value in Environment.Key(rawValue: name).map { ($0, value) } })
        let standardInput = try inputFile(holding: input)
        let finished = try await withThrowingTaskGroup(of: ChildProgram?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.send(signal: .terminate, allowedDurationToNextStep: .seconds(5))]
                let input = FileDescriptorInput.fileDescriptor(standardInput, closeAfterSpawningProcess: true)
                if combiningErrors {
                    let result = try await Subprocess.run(
                        .path(FilePath(executable)), arguments: Arguments(arguments), environment: .custom(variables),
                        platformOptions: options, input: input, output: .string(limit: outputLimit),
                        error: .combinedWithOutput)
                    return ChildProgram(status: result.terminationStatus.code, output: result.standardOutput, errors: "")
                }
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), environment: .custom(variables),
                    platformOptions: options, input: input, output: .string(limit: outputLimit),
                    error: .string(limit: outputLimit))
                return ChildProgram(
                    status: result.terminationStatus.code, output: result.standardOutput,
                    errors: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeLimit)
                return nil
            }
            // The first to finish decides; cancelling the other ends the sleep or tears the program down.
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let finished else { throw ChildProgramTimedOut(executable: executable, timeLimit: timeLimit) }
        return finished
    }

    /// What a test's program may print before the run fails.
    static let outputLimit = 16 << 20

    /// `input` in a file of its own (mode 0600: it may hold a token), opened at its start and already
    /// unlinked, for the program's standard input. Not a pipe written while the program runs: swift-subprocess
    /// 1.0.2 cancels that write when the program exits first, and its writer then traps on the descriptor it
    /// left open (a CI rehearsal's test process crashed so, on a program that exits at once).
    static func inputFile(holding input: String) throws -> FileDescriptor {
        let path = FilePath(FileManager.default.temporaryDirectory.appending(path: "child-input-\(UUID().uuidString)").path)
        let file = try FileDescriptor.open(
            path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        do {
            try file.writeAll(Array(input.utf8))
            try file.seek(offset: 0, from: .start)
            _ = unlink(path.string)
            return file
        } catch {
            try? file.close()
            _ = unlink(path.string)
            throw error
        }
    }
}

/// A program run by a test did not finish within its time limit.
public struct ChildProgramTimedOut: Error, CustomStringConvertible {
    public let executable: String
    public let timeLimit: Duration
    public var description: String { "\(executable) did not finish within \(timeLimit) and was terminated" }
}

extension TerminationStatus {
    fileprivate var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
