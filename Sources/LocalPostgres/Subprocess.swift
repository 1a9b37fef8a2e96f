#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs a program to completion with a deadline, capturing its combined output.
///
/// Uses `posix_spawn` rather than Foundation's `Process`: on Linux `Process` learns that a child
/// exited from EOF on a descriptor the child inherits, and `pg_ctl start` hands every inherited
/// descriptor to the postmaster it daemonises, so `Process` would wait until the server stops.
/// Here the child gets only stdin (/dev/null) and stdout/stderr (a temporary file; a pipe could
/// likewise be held open by the daemon), and we reap it ourselves with `waitpid`.
struct Subprocess {
    var arguments: [String]
    var directory: URL
    var timeout: Duration
    /// A log to quote in errors, e.g. the server log when `pg_ctl start` fails.
    var log: URL?

    /// The result of a run that finished in time.
    struct Outcome {
        /// The exit status, or 128 + the signal number when a signal ended the program.
        var status: Int32
        var output: String
    }

    /// The command line as shown in errors.
    var displayName: String { self.arguments.joined(separator: " ") }

    /// Runs the command and returns its status and output, whatever the status.
    func run() throws(LocalClusterError) -> Outcome {
        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "localpg-\(getpid())-\(UUID().uuidString).out", directoryHint: .notDirectory).path
        let output = open(outputPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw .fileSystem(operation: "create", path: outputPath, reason: String(cString: strerror(errno)))
        }
        defer {
            close(output)
            unlink(outputPath)
        }

        let pid = try self.spawn(output: output)
        let deadline = ContinuousClock.now + self.timeout
        var status: Int32? = nil
        while status == nil, ContinuousClock.now < deadline {
            status = Self.reap(pid, blocking: false)
            if status == nil { usleep(10_000) }
        }
        guard let status else {
            // SIGTERM lets runuser and pg_ctl clean up; SIGKILL if they ignore it.
            kill(pid, SIGTERM)
            let grace = ContinuousClock.now + .seconds(5)
            while Self.reap(pid, blocking: false) == nil {
                if ContinuousClock.now >= grace {
                    kill(pid, SIGKILL)
                    _ = Self.reap(pid, blocking: true)
                    break
                }
                usleep(10_000)
            }
            throw .timedOut(
                command: self.displayName,
                seconds: Int(self.timeout.components.seconds),
                output: TextTail.lastLines(of: Self.read(outputPath)),
                log: self.log.flatMap { TextTail.lastLines(ofFile: $0) }
            )
        }
        return Outcome(status: status, output: Self.read(outputPath))
    }

    /// Runs the command and throws, quoting its output and log, unless it exits with status 0.
    @discardableResult
    func check() throws(LocalClusterError) -> String {
        let outcome = try self.run()
        guard outcome.status == 0 else {
            throw .commandFailed(
                command: self.displayName,
                status: outcome.status,
                output: TextTail.lastLines(of: outcome.output),
                log: self.log.flatMap { TextTail.lastLines(ofFile: $0) }
            )
        }
        return outcome.output
    }

    // MARK: Spawning

    private func spawn(output: Int32) throws(LocalClusterError) -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        Self.closeInheritedDescriptors(&actions)
        Self.changeDirectory(&actions, to: self.directory.path)

        // The child starts with default signal handling and nothing blocked: the host process
        // (e.g. a server ignoring SIGPIPE) must not pass its signal setup on to PostgreSQL.
        var signals = sigset_t()
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = self.arguments.map { strdup($0) } + [nil]
        let envp = Self.environment().map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, self.arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw .launchFailed(command: self.displayName, reason: String(cString: strerror(result)))
        }
        return pid
    }

    /// The exit status of `pid` if it has exited (reaping it), else nil.
    private static func reap(_ pid: pid_t, blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { break }
            if result == 0 { return nil }
            if errno == EINTR { continue }
            return 255  // ECHILD: someone else reaped it; its status is lost
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    #if canImport(Darwin)
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t?) {
        // POSIX_SPAWN_CLOEXEC_DEFAULT closes everything but the descriptors set up above.
    }

    private static func changeDirectory(_ actions: inout posix_spawn_file_actions_t?, to path: String) {
        posix_spawn_file_actions_addchdir_np(&actions, path)
    }
    #else
    // glibc declares these only under _GNU_SOURCE, which Swift's Glibc module lacks, so look them up.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        // Older C libraries: close whatever is open now (glibc ignores descriptors closed meanwhile).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    private static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, to path: String) {
        // Without it the child merely inherits our directory, which the server account may not enter.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return }
        _ = unsafeBitCast(symbol, to: ChangeDirectory.self)(&actions, path)
    }
    #endif

    // MARK: Helpers

    private static func read(_ path: String) -> String {
        (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The caller's environment minus libpq/server variables, which would otherwise override
    /// our settings (the server, for one, takes its default port from `PGPORT`).
    private static func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("PG") {
            environment[key] = nil
        }
        return environment
    }
}
