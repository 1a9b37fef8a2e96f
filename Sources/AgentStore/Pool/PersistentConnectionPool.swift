import CoreMetrics
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The server's database connections: a fixed number, opened at start, kept open, and each replaced by
/// itself when the database drops it.
///
/// Why not `PostgresClient`: its pool state machine stops the process with a precondition failure when a
/// request asks for a connection while connections are closing below its minimum, which is what a
/// database restart under load does (`PoolStateMachine+ConnectionGroup.swift:163` in PostgresNIO 1.33).
/// Without a minimum it arms an idle timer, a task group of two tasks, on every release. This pool has
/// no timers on the request path and no state that a failure can make inconsistent:
///
/// - each of `size` slots keeps one connection: it connects (bounded by `connectTimeout`), hands the
///   connection out, waits for it to close, and connects again, backing off while the database is away;
/// - a request takes an idle connection, or waits at most `leaseTimeout`; while no connection is open and
///   the last attempt failed, it fails at once with `StoreError.unavailable` (an HTTP 503), so requests
///   do not pile up behind a database that is down;
/// - a request whose task is cancelled stops waiting at once;
/// - a connection whose server leaves a statement unanswered past `statementDeadline` is closed, which
///   fails that statement and lets its slot connect anew: a server that went silent without closing the
///   connection (a partition, a frozen host) would otherwise hold the request until the kernel gives up on
///   the TCP connection, about 15 minutes on Linux.
public final class PersistentConnectionPool: DatabaseConnections, Service {
    /// How many connections, and how long anything may wait.
    public struct Settings: Sendable {
        public var size: Int
        public var connectTimeout: Duration = .seconds(10)
        public var leaseTimeout: Duration = .seconds(5)
        public var maximumBackoff: Duration = .seconds(2)
        /// How long a statement may wait for the server's answer. Longer than any statement timeout the
        /// server enforces (the runtime role's is 30 s), so only a silent server reaches it.
        public var statementDeadline: Duration = .seconds(40)
        /// How often each connection's oldest unanswered statement is checked against the deadline.
        public var deadlineCheckInterval: Duration = .seconds(1)

        public init(size: Int) { self.size = max(1, size) }
    }

    let settings: Settings
    let configuration: PostgresConnection.Configuration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let metrics: PoolMetrics
    let state = Mutex(PoolState())

    /// - Parameter metrics: where the pool's metrics go (``PoolMetrics``); by default the process's, as
    ///   `MetricsSystem` was bootstrapped before the pool is made.
    public init(
        configuration: PostgresConnection.Configuration, settings: Settings,
        eventLoopGroup: any EventLoopGroup, metrics: any MetricsFactory = MetricsSystem.factory, logger: Logger
    ) {
        var configuration = configuration
        configuration.options.connectTimeout = .nanoseconds(settings.connectTimeout.nanoseconds)
        self.configuration = configuration
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        self.metrics = PoolMetrics(factory: metrics)
        self.logger = logger
    }

    // MARK: Leasing

    public func withLeasedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withLeasedConnection(waitingAtMost: settings.leaseTimeout, body)
    }

    public func withLeasedConnection<Result: Sendable>(
        waitingAtMost wait: Duration, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease(waitingAtMost: wait)
        defer { release(connection) }
        return try await body(connection)
    }

    func lease(waitingAtMost wait: Duration? = nil) async throws -> PostgresConnection {
        let waiterID: UInt64
        let (decision, inUse) = state.withLock { state in (state.lease(), state.inUse) }
        metrics.inUse.set(inUse)
        switch decision {
        case .connection(let connection): return connection
        case .unavailable(let reason):
            metrics.unavailable.increment()
            throw StoreError.unavailable(reason: reason)
        case .wait(let id): waiterID = id
        }
        metrics.waits.increment()
        let timeout = eventLoopGroup.next().scheduleTask(in: .nanoseconds((wait ?? settings.leaseTimeout).nanoseconds)) {
            self.state.withLock { state in
                // Every connection busy, or none open yet (the pool starting, or reconnecting): not the same
                // news for a readiness probe.
                let reason = state.open > 0 ? Self.noConnectionInTime : Self.noConnectionOpenInTime
                return state.abandon(waiterID, StoreError.unavailable(reason: reason))
            }?.resume()
        }
        defer { timeout.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    state.withLock { $0.park(waiterID, continuation) }?.resume()
                }
            } onCancel: {
                state.withLock { $0.abandon(waiterID, CancellationError()) }?.resume()
            }
        } catch StoreError.unavailable(let reason) {
            (reason == Self.noConnectionInTime ? metrics.timeouts : metrics.unavailable).increment()
            throw StoreError.unavailable(reason: reason)
        }
    }

    /// A connection opened for `body` alone, outside the slots (bounded by `connectTimeout`), and closed
    /// when it returns: a listener holds its connection for its whole life, which would take a slot from
    /// requests for good.
    public func withDedicatedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await PostgresConnection.withOpened(
            configuration, on: eventLoopGroup.next(), id: settings.size, logger: logger, body)
    }

    /// Opens a slot's connection, refused when its login bypasses row-level security: the platform's
    /// isolation of tenants rests on the policies, which a superuser or a BYPASSRLS role never meets, so a
    /// `DATABASE_URL` naming the schema's owner would serve every tenant every row, silently.
    private func connect(slot: Int) async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(
            on: eventLoopGroup.next(), configuration: configuration, id: slot, logger: logger
        ).get()
        do {
            // The check is a statement no slot watches yet: a server that takes the login and falls silent, or a
            // close that drops the statement unsent, would hold this slot for good. The connect timeout bounds
            // it, and a shutdown ends it.
            let bypasses = try await connection.closing(unlessDoneWithin: settings.connectTimeout) {
                try await connection.rowsIfOpen(
                    "SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user", logger: logger
                ).first?.decode(Bool.self)
            }
            // No row (a role dropped as it connected) is refused too: isolation is never assumed.
            guard bypasses == false else { throw RowSecurityBypassed() }
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A login that row-level security does not apply to.
    struct RowSecurityBypassed: Error {
        static let reason = "the database login bypasses row-level security"
    }

    /// Why a request that waited out the lease timeout got no connection, while none was open.
    static let noConnectionOpenInTime = "no database connection could be opened in time"
    /// Why a request that waited out the lease timeout got no connection.
    package static let noConnectionInTime = "no database connection became free in time"

    func release(_ connection: PostgresConnection) {
        // A closed connection is not handed on: its slot notices the close and connects anew.
        guard !connection.isClosed else { return }
        let (waiter, inUse) = state.withLock { state in (state.release(connection), state.inUse) }
        metrics.inUse.set(inUse)
        waiter?.resume()
    }

    // MARK: Slots

    /// Keeps the connections open until cancelled or shut down gracefully; then closes them, and fails
    /// the requests still waiting.
    public func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for slot in 0..<self.settings.size {
                    group.addTask { await self.keepConnected(slot: slot) }
                }
            }
        }
        for waiter in state.withLock({ $0.shutDown() }) { waiter.resume() }
    }

    private func keepConnected(slot: Int) async {
        var backoff = Duration.milliseconds(50)
        while !Task.isCancelled {
            let connection: PostgresConnection
            do {
                connection = try await connect(slot: slot)
            } catch {
                let bypassed = error is RowSecurityBypassed
                let (failedWaiters, firstFailure) = state.withLock {
                    bypassed ? $0.connectFailed(reason: RowSecurityBypassed.reason) : $0.connectFailed()
                }
                for waiter in failedWaiters { waiter.resume() }
                if firstFailure, bypassed {
                    logger.error(
                        "the database login bypasses row-level security (a superuser, or BYPASSRLS): its connections are not used, since no tenant's rows would be kept from another; connect as the runtime login (agent_app)"
                    )
                } else if firstFailure {
                    // The server's words or the underlying cause (`DatabaseURL.reason`): never a credential.
                    logger.warning(
                        "database connection failed; retrying",
                        metadata: ["database": "\(Self.describe(configuration))", "error": "\(DatabaseURL.reason(error))"])
                }
                // A login that bypasses stays one: no quicker retry would change it.
                if bypassed { backoff = settings.maximumBackoff }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, settings.maximumBackoff)
                continue
            }
            backoff = .milliseconds(50)
            let (waiter, recovered, open) = state.withLock { state in
                let (waiter, recovered) = state.connected(connection)
                return (waiter, recovered, state.open)
            }
            metrics.open.set(open)
            waiter?.resume()
            if recovered { logger.info("database connection restored") }
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await connection.closeFuture.get() }
                    group.addTask { await self.closeIfSilent(connection) }
                    await group.next()
                    group.cancelAll()
                }
            } onCancel: {
                connection.close().whenComplete { _ in }
            }
            metrics.open.set(
                state.withLock { state in
                    state.disconnected(connection)
                    return state.open
                })
        }
    }

    /// Returns once a statement on `connection` has waited past the deadline, after closing the connection
    /// (which ends the statement's wait, and the slot's), or when cancelled.
    private func closeIfSilent(_ connection: PostgresConnection) async {
        while (try? await Task.sleep(for: settings.deadlineCheckInterval)) != nil {
            guard let sent = StatementWaits.shared.oldestSend(on: connection),
                sent.duration(to: .now) > settings.statementDeadline
            else { continue }
            metrics.silentServerCloses.increment()
            logger.warning(
                "the database left a statement unanswered past the deadline; closing its connection",
                metadata: ["deadline": "\(settings.statementDeadline)"])
            connection.close().whenComplete { _ in }
            return
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension PersistentConnectionPool {
    /// Where the pool connects, as an operator names it in a log line: the login, the server (its socket
    /// directory for a local one) and the database; never the password.
    static func describe(_ configuration: PostgresConnection.Configuration) -> String {
        let server =
            configuration.unixSocketPath.map { "socket \($0)" }
            ?? "\(configuration.host ?? "?"):\(configuration.port.map(String.init) ?? "?")"
        return "\(configuration.username)@\(server)/\(configuration.database ?? configuration.username)"
    }
}
