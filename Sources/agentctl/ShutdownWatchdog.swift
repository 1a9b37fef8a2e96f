import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Ends `serve` when its shutdown, once begun, outlasts a bound: a process that stops serving must also
/// stop, or its orchestrator waits for it until its own kill.
///
/// The service group already bounds its drain; this guards what it cannot: a shutdown that hangs on a
/// lock no task will release (swift-async-algorithms' `merge`, which Hummingbird's and ServiceLifecycle's
/// graceful shutdown use, may unlock its lock from another thread than the one that locked it, and was
/// seen to leave a cancelled service group waiting for good). So it runs on a thread of its own, outside
/// Swift concurrency and NIO's event loops, which such a hang holds.
final class ShutdownWatchdog: Sendable {
    private let limit: Duration
    private let logger: Logger?
    private let expire: @Sendable (String) -> Void
    private let reason = Mutex<String?>(nil)
    private let armed = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - limit: how long after the shutdown began the process may take to end.
    ///   - expire: what ends it, told why the shutdown began; by default a line on standard error and exit
    ///     status 1, without running anything else of the process (that may be what hangs).
    init(limit: Duration, logger: Logger? = nil, expire: @escaping @Sendable (String) -> Void = ShutdownWatchdog.exit) {
        self.limit = limit
        self.logger = logger
        self.expire = expire
        // The thread keeps the watchdog for the process's life: a serve has one.
        let thread = Thread { [self] in waitThenExpire() }
        thread.name = "shutdown-watchdog"
        thread.start()
    }

    private func waitThenExpire() {
        armed.wait()
        Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) * 1e-18)
        expire(reason.withLock { $0 } ?? "the shutdown")
    }

    /// Arms the watchdog when SIGTERM or SIGINT comes, alongside the service group, which drains on them.
    func watchSignals() {
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // The handler holds its source: both last as long as the process.
            source.setEventHandler { [self] in
                withExtendedLifetime(source) {
                    // The service group hears the signal too, and a service it stopped may have armed the
                    // watchdog first: the signal is still said, as an operator's second one would be.
                    if !arm(because: "signal \(number)") {
                        logger?.info("shutdown signal received", metadata: ["signal": "\(number)"])
                    }
                }
            }
            source.resume()
        }
    }

    /// The shutdown began, for `why`; the first call counts, and says so by returning true.
    @discardableResult
    func arm(because why: String) -> Bool {
        let first = reason.withLock { reason in
            defer { reason = reason ?? why }
            return reason == nil
        }
        guard first else { return false }
        logger?.info("shutting down", metadata: ["because": "\(why)", "process_ends_within": "\(limit)"])
        armed.signal()
        return true
    }

    /// The default end: a line on standard error, and exit status 1 at once.
    static func exit(_ why: String) {
        StandardStream.error("error: serve did not stop within its shutdown's bound after \(why); exiting\n")
        _exit(1)
    }
}

extension ShutdownWatchdog {
    /// A service of the group, arming the watchdog when it ends, by an error or on its own: the group
    /// then stops every other, which is where a shutdown can hang.
    struct Watched: Service {
        let base: any Service
        let watchdog: ShutdownWatchdog

        func run() async throws {
            do {
                try await base.run()
            } catch {
                watchdog.arm(because: "\(type(of: base)) failed")
                throw error
            }
            // Ended by a shutdown already under way, the service is not its cause, and is not named as one: the
            // group's graceful shutdown comes of SIGTERM or SIGINT alone, whose handler here may not have run
            // yet (nor ever, if the process ends first).
            watchdog.arm(
                because: Task.isShuttingDownGracefully ? "a shutdown signal (SIGTERM or SIGINT)" : "\(type(of: base)) ended")
        }
    }
}
