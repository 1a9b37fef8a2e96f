import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a PostgreSQL program (or `sh`) to completion with a deadline, capturing its combined output,
/// through swift-subprocess.
///
/// swift-subprocess learns of the child's exit from the kernel (a pidfd or SIGCHLD), not from EOF on
/// a pipe, so `pg_ctl start` returns once the server is up although the daemonised postmaster lives
/// on. It also closes every inherited descriptor but 0–2 and resets signal handling in the child, so
/// the server inherits neither our sockets nor, say, our ignored SIGPIPE. Output still goes to a
/// temporary file rather than a pipe, so that what a timed-out command printed can be quoted.
struct ClusterCommand: Sendable {
    var arguments: [String]
    var directory: URL
    var timeout: Duration
    /// A log to quote in errors, e.g. the server log when `pg_ctl start` fails.
    var log: URL?
    /// The account to run as (we are root); nil runs as ourselves.
    var account: ServerAccount?

    /// The result of a run that finished in time.
    struct Outcome {
        /// The exit status, or 128 + the signal number when a signal ended the program.
        var status: Int32
        var output: String
    }

    /// The command line as shown in errors.
    var displayName: String { self.arguments.joined(separator: " ") }

    /// How long a timed-out command has between SIGTERM (which lets `pg_ctl` clean up) and SIGKILL.
    static let terminationGrace: Duration = .seconds(5)

    /// Runs the command and returns its status and output, whatever the status.
    func run() async throws(LocalClusterError) -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "localpg-\(getpid())-\(UUID().uuidString).out", directoryHint: .notDirectory).path
        let output: FileDescriptor
        do {
            output = try FileDescriptor.open(
                FilePath(outputPath), .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWrite])
        } catch {
            throw .fileSystem(operation: "create", path: outputPath, reason: "\(error)")
        }
        defer {
            try? output.close()
            unlink(outputPath)
        }
        guard let status = try await self.run(writingTo: output) else {
            throw .timedOut(
                command: self.displayName,
                seconds: Int(self.timeout.components.seconds),
                output: TextTail.lastLines(of: Self.read(outputPath)),
                log: self.log.flatMap { TextTail.lastLines(ofFile: $0, owners: [self.account?.uid ?? geteuid()]) }
            )
        }
        return Outcome(status: status, output: Self.read(outputPath))
    }

    /// Runs the command and throws, quoting its output and log, unless it exits with status 0.
    @discardableResult
    func check() async throws(LocalClusterError) -> String {
        let outcome = try await self.run()
        guard outcome.status == 0 else {
            throw .commandFailed(
                command: self.displayName,
                status: outcome.status,
                output: TextTail.lastLines(of: outcome.output),
                log: self.log.flatMap { TextTail.lastLines(ofFile: $0, owners: [self.account?.uid ?? geteuid()]) }
            )
        }
        return outcome.output
    }

    // MARK: Running

    /// The exit status, or nil when the deadline passed first (the program is then terminated).
    private func run(writingTo output: FileDescriptor) async throws(LocalClusterError) -> Int32? {
        let options = self.platformOptions
        let command = self.account.map { Self.switchingUser(to: $0) + self.arguments } ?? self.arguments
        let executable = Executable.path(FilePath(command[0]))
        let arguments = Arguments(Array(command.dropFirst()))
        let environment = Environment.custom(
            Dictionary(
                uniqueKeysWithValues: ChildEnvironment.variables(for: self.account)
                    .compactMap { name, value in Environment.Key(rawValue: name).map { ($0, value) } }))
        let directory = FilePath(self.directory.path)
        let timeout = self.timeout
        // The child gets a copy that swift-subprocess closes once it has spawned: with `error:
        // .combinedWithOutput` it duplicates the descriptor it is given, and a copy of one it may not close
        // is never closed (a descriptor lost per command).
        // Close-on-exec, as `output` is, so that no other program started meanwhile inherits it.
        let copy = fcntl(output.rawValue, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else {
            throw .launchFailed(
                command: self.displayName, reason: "could not copy its output descriptor: \(Errno(rawValue: errno))")
        }
        let childOutput = FileDescriptor(rawValue: copy)
        do {
            return try await withThrowingTaskGroup(of: Int32?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        executable, arguments: arguments, environment: environment, workingDirectory: directory,
                        platformOptions: options, input: .none,
                        output: .fileDescriptor(childOutput, closeAfterSpawningProcess: true), error: .combinedWithOutput)
                    switch result.terminationStatus {
                    case .exited(let code): return code
                    case .signaled(let signal): return 128 + signal
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                // The first to finish decides; cancelling the other ends the sleep or tears the program down.
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch {
            throw .launchFailed(command: self.displayName, reason: "\(error)")
        }
    }

    /// Torn down by SIGTERM, then SIGKILL after the grace period, when cancelled.
    private var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.teardownSequence = [.send(signal: .terminate, allowedDurationToNextStep: Self.terminationGrace)]
        return options
    }

    /// The prefix that runs a program as `account`: util-linux's `setpriv`, which sets the groups, the
    /// group and the user and then execs it (no PAM, no session, the environment passed through).
    ///
    /// Not swift-subprocess's own `userID`/`groupID`: those make it `fork()` this multithreaded process
    /// and wait, in a read that cannot be cancelled, for the child to exec; a child that deadlocked on a
    /// lock another thread held at the fork (seen here: `agentctl db start` hung for good) hung its parent
    /// with it. Without them it uses `posix_spawn`, which has no such window.
    static func switchingUser(to account: ServerAccount) -> [String] {
        let groups =
            account.groups.isEmpty ? "--clear-groups" : "--groups=" + account.groups.map(String.init).joined(separator: ",")
        return [setprivPath, "--reuid=\(account.uid)", "--regid=\(account.gid)", groups, "--"]
    }

    /// `setpriv` of util-linux, which Debian always installs.
    static let setprivPath =
        ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "/usr/bin/setpriv"

    // MARK: Helpers

    private static func read(_ path: String) -> String {
        (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
