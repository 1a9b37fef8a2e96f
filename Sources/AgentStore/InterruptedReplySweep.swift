import Logging
import PostgresNIO
import ServiceLifecycle

/// Settles, every `interval`, what a stopped instance left running (``InterruptedReplies``): an instance
/// killed, or one whose database was away while it drained, leaves its calls running and their tokens
/// reserved against the tenant's budget, and their replies streaming, until this comes by. `serve` runs it
/// wherever it has an administrator's connection, so that the platform recovers by itself; elsewhere an
/// operator schedules `agentctl replies settle-interrupted`.
///
/// Each sweep opens a connection of its own and closes it: nothing is held between sweeps, and a database
/// that is away fails that sweep alone.
public struct InterruptedReplySweep: Service {
    let admin: DatabaseURL
    /// Only what started longer ago is settled: past the reply time limit and the settlement's patience,
    /// which no live generation outlives.
    let age: Duration
    let interval: Duration
    /// How long one sweep may take before its connection is closed: a server that falls silent mid-sweep
    /// cannot answer even the statement timeout, and would hold the sweep, and a shutdown behind it, until
    /// TCP gives up.
    let longestSweep: Duration
    let logger: Logger

    public init(
        admin: DatabaseURL, age: Duration, interval: Duration = .seconds(60), longestSweep: Duration = .seconds(60),
        logger: Logger
    ) {
        self.admin = admin
        self.age = age
        self.interval = interval
        self.longestSweep = longestSweep
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                await sweep()
            }
        }
    }

    /// One sweep; its failure (a database away) is logged, and the next sweep tries again.
    func sweep() async {
        do {
            var configuration = try admin.connectionConfiguration()
            configuration.options.connectTimeout = .seconds(10)
            let report = try await PostgresConnection.withOpened(
                configuration, on: PostgresConnection.defaultEventLoopGroup.next(), id: 0, logger: logger
            ) { connection in
                // A shutdown ends a sweep under way at once, as its deadline does.
                try await connection.closing(unlessDoneWithin: longestSweep) {
                    try await InterruptedReplies.settle(olderThan: age, on: connection, logger: logger)
                }
            }
            if report.calls > 0 || report.replies > 0 {
                logger.notice(
                    "settled what a stopped instance left running, as interrupted",
                    metadata: ["calls": "\(report.calls)", "replies": "\(report.replies)"])
            }
        } catch {
            // The server's words or the underlying cause (`DatabaseURL.reason`): never a credential.
            logger.warning(
                "the sweep of interrupted replies failed; the next one tries again",
                metadata: ["database": "\(admin)", "error": "\(DatabaseURL.reason(error))"])
        }
    }
}
