import AgentTestSupport
import Foundation
import Logging
import MetricsTestKit
import NIOPosix
import PostgresNIO
import Synchronization
import Testing

@testable import AgentStore

/// The server's pool under the faults a database brings: connections killed under load, a database that
/// is not there, requests that give up.
@Suite struct PersistentConnectionPoolTests {
    private static func pool(
        _ configuration: PostgresConnection.Configuration, size: Int, leaseTimeout: Duration = .seconds(5),
        statementDeadline: Duration = .seconds(40), metrics: TestMetrics = TestMetrics(), logger given: Logger? = nil
    ) -> PersistentConnectionPool {
        var settings = PersistentConnectionPool.Settings(size: size)
        settings.leaseTimeout = leaseTimeout
        settings.statementDeadline = statementDeadline
        settings.deadlineCheckInterval = .milliseconds(100)
        settings.connectTimeout = .seconds(2)
        var logger = given ?? Logger(label: "test.pool")
        if given == nil { logger.logLevel = .critical }
        return PersistentConnectionPool(
            configuration: configuration, settings: settings, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            metrics: metrics, logger: logger)
    }

    /// Waits (30 s at most) until the pool hands out a connection.
    private static func waitUntilConnected(_ pool: PersistentConnectionPool) async throws {
        let connected = ContinuousClock.now + .seconds(30)
        while (try? await pool.withLeasedConnection({ _ in true })) == nil, ContinuousClock.now < connected {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// With PostgresClient's pool this crashed the process (a precondition in its state machine): every
    /// connection killed by the server while requests keep coming. Requests may fail as unavailable, but
    /// the pool survives, and serves again once the database takes connections.
    @Test func survivesConnectionsKilledUnderLoad() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let pool = Self.pool(try db.runtimeURL.connectionConfiguration(), size: 4)
        let store = AgentStore(client: pool, keyring: nil, logger: db.logger)
        let running = Task { await pool.run() }
        defer { running.cancel() }
        // The load starts on an open pool: on a machine busy with the whole suite, connecting can take longer
        // than the first kill's wait, which would then find nothing to kill.
        try await Self.waitUntilConnected(pool)

        let outcomes = Outcomes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while !outcomes.isFinished {
                        do {
                            _ = try await store.withTenant(user) {
                                try await $0.agents(PageRequest(limit: 5, order: .descending))
                            }
                            outcomes.count(success: true)
                        } catch StoreError.unavailable {
                            try await Task.sleep(for: .milliseconds(5))
                        } catch {
                            outcomes.count(success: false)
                        }
                    }
                }
            }
            // Each kill waits for the pool to serve again after the one before. (Kills at a fixed pace once
            // found no request served between them, when the whole suite loaded both cores.)
            for kill in 1...6 {
                try await Task.sleep(for: .milliseconds(100))
                let served = outcomes.totals.successes
                _ = try await db.admin.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(db.runtimeURL.user) AND datname = \(db.name)",
                    logger: db.logger
                ).collect()
                #expect(try await outcomes.servedMore(than: served), "served again after kill \(kill)")
            }
            outcomes.finish()
            try await group.waitForAll()
        }
        #expect(outcomes.totals.others == 0)
        // Serving again: the last kill may have caught a slot in its login, and the pool then answers
        // unavailable at once until a slot is back (a loaded run once read just then).
        var agents: Page<Agent>?
        let back = ContinuousClock.now + .seconds(30)
        while agents == nil, ContinuousClock.now < back {
            do {
                agents = try await store.withTenant(user) { try await $0.agents(PageRequest(limit: 5, order: .descending)) }
            } catch StoreError.unavailable {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(agents?.items.isEmpty == true)
    }

    /// No database at all: a request answers `unavailable` when connecting fails, well before the lease
    /// timeout, instead of hanging; and once the pool has seen connecting fail, at once. (The bounds are
    /// loose: a loaded 2-core machine delays every task; what they tell apart is waiting out the lease.)
    @Test func unreachableDatabaseFailsFast() async throws {
        let configuration = PostgresConnection.Configuration(
            unixSocketPath: "/nonexistent-\(UInt32.random(in: 0...UInt32.max))/.s.PGSQL.5432",
            username: "nobody", password: nil, database: "none")
        let metrics = TestMetrics()
        let log = CapturedLog()
        let pool = Self.pool(
            configuration, size: 2, leaseTimeout: .seconds(30), metrics: metrics, logger: log.logger(level: .warning))
        let running = Task { await pool.run() }
        defer { running.cancel() }
        let start = ContinuousClock.now
        await #expect(throws: StoreError.self) { try await pool.withLeasedConnection { _ in () } }
        #expect(ContinuousClock.now - start < .seconds(15))
        try await Task.sleep(for: .milliseconds(200))
        let again = ContinuousClock.now
        await #expect(throws: StoreError.unavailable(reason: "the database cannot be reached")) {
            try await pool.withLeasedConnection { _ in () }
        }
        #expect(ContinuousClock.now - again < .seconds(5))
        // Both requests are counted as finding the database unavailable, and none as waiting it out.
        #expect(try metrics.expectCounter("db_pool_lease_failures_total", [("reason", "unavailable")]).totalValue == 2)
        #expect(try metrics.expectCounter("db_pool_lease_failures_total", [("reason", "timeout")]).totalValue == 0)
        // The warning says why, where PostgresNIO's own description of every failure is one generic sentence.
        let warning = try #require(log.lines.first { $0.contains("database connection failed") })
        // In an operator's words, naming where it tried (never a password), not a system call's.
        #expect(warning.contains("no server socket there (is PostgreSQL running?)"), "\(warning)")
        #expect(warning.contains("database=nobody@socket /nonexistent-") && warning.contains("/none"), "\(warning)")
        #expect(!warning.contains("Generic description") && !warning.contains("errno"), "\(warning)")
    }

    /// Readiness waits for a connection at most its own short while: with every connection busy it answers
    /// busy (ready: the database answers them) within that while, not after the pool's lease timeout.
    @Test func readinessWithEveryConnectionBusyIsBusyAtOnce() async throws {
        let db = try await TestDatabase.make()
        let pool = Self.pool(try db.runtimeURL.connectionConfiguration(), size: 1, leaseTimeout: .seconds(30))
        let running = Task { await pool.run() }
        defer { running.cancel() }
        try await Self.waitUntilConnected(pool)
        let store = AgentStore(client: pool, keyring: nil, logger: db.logger)
        #expect(await store.readiness() == .ready)
        let held = Mutex(true)
        let holding = Task {
            try await pool.withLeasedConnection { _ in
                while held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            }
        }
        // Once the holder has the connection; a waiter of the pool's own lease timeout would wait 30 s here.
        var readiness = await store.readiness(waitingAtMost: .milliseconds(200))
        for _ in 0..<100 where readiness != .busy { readiness = await store.readiness(waitingAtMost: .milliseconds(200)) }
        #expect(readiness == .busy)
        held.withLock { $0 = false }
        try await holding.value
        #expect(await store.readiness() == .ready)
    }

    /// With no connection open yet (a server that takes the TCP connection and never answers the login),
    /// a probe's wait that runs out is no database, not a busy one.
    @Test func readinessWithNoConnectionOpenIsUnreachable() async throws {
        let db = try await TestDatabase.make()
        let mute = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { mute.close(promise: nil) }
        var configuration = try db.runtimeURL.connectionConfiguration()
        configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: try #require(mute.localAddress?.port), username: db.runtimeURL.user,
            password: db.runtimeURL.password, database: db.runtimeURL.database, tls: .disable)
        let pool = Self.pool(configuration, size: 1, leaseTimeout: .seconds(30))
        let running = Task { await pool.run() }
        defer { running.cancel() }
        let store = AgentStore(client: pool, keyring: nil, logger: db.logger)
        #expect(await store.readiness(waitingAtMost: .milliseconds(200)) == .unreachable)
    }

    /// A login that row-level security does not apply to (here the superuser) would serve every tenant every
    /// row: its connections are closed as they open, and requests answer unavailable, saying why.
    @Test func aLoginThatBypassesRowLevelSecurityIsRefused() async throws {
        let db = try await TestDatabase.make()
        let pool = Self.pool(try db.adminURL.connectionConfiguration(), size: 1, leaseTimeout: .seconds(10))
        let running = Task { await pool.run() }
        defer { running.cancel() }
        await #expect(throws: StoreError.unavailable(reason: PersistentConnectionPool.RowSecurityBypassed.reason)) {
            try await pool.withLeasedConnection { _ in () }
        }
        // The runtime login is served.
        let runtime = Self.pool(try db.runtimeURL.connectionConfiguration(), size: 1)
        let serving = Task { await runtime.run() }
        defer { serving.cancel() }
        try await Self.waitUntilConnected(runtime)
        #expect(try await runtime.withLeasedConnection { _ in true })
    }

    /// The check a slot makes as it connects is a statement like any other: a server that takes the login
    /// and falls silent leaves it at the connect timeout, to connect anew, and a shutdown ends it; neither
    /// waited, and each such event took a slot for good.
    @Test func aServerSilentAfterTheLoginHoldsNoSlot() async throws {
        let db = try await TestDatabase.make()
        let proxy = try await DatabaseProxy.start(to: db.runtimeURL, silentAfterLogin: true)
        defer { Task { await proxy.stop() } }
        let configuration = PostgresConnection.Configuration(
            host: "127.0.0.1", port: proxy.port, username: db.runtimeURL.user, password: db.runtimeURL.password,
            database: db.runtimeURL.database, tls: .disable)
        let pool = Self.pool(configuration, size: 1)  // connect timeout 2 s
        let running = Task { await pool.run() }
        // Polled: the second login follows the first's 2 s connect timeout, later on a loaded machine.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while proxy.logins < 2, clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(proxy.logins >= 2, "one slot's check, left waiting")
        final class Stopped: Sendable { let value = Atomic<Bool>(false) }
        let stopped = Stopped()
        running.cancel()
        Task {
            await running.value
            stopped.value.store(true, ordering: .relaxed)
        }
        for _ in 0..<100 where !stopped.value.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(50)) }
        let hasStopped = stopped.value.load(ordering: .relaxed)
        #expect(hasStopped, "the pool did not stop")
    }

    /// A request waiting for a busy pool stops waiting when its task is cancelled (a client that went
    /// away), and one that waits too long is told so; neither takes a connection with it.
    @Test func waitingRequestsGiveUpCleanly() async throws {
        let db = try await TestDatabase.make()
        let metrics = TestMetrics()
        // Long enough that the cancelled request, cancelled as soon as it is seen waiting, is cancelled before
        // it times out even when the whole suite keeps the machine busy.
        let pool = Self.pool(
            try db.runtimeURL.connectionConfiguration(), size: 1, leaseTimeout: .seconds(3), metrics: metrics)
        let running = Task { await pool.run() }
        defer { running.cancel() }
        // Connecting may take longer than the lease timeout on a busy machine: wait for the first connection.
        try await Self.waitUntilConnected(pool)
        let timeouts = try metrics.expectCounter("db_pool_lease_failures_total", [("reason", "timeout")])
        let waits = try metrics.expectCounter("db_pool_lease_waits_total")
        let (timeoutsBefore, waitsBefore) = (timeouts.totalValue, waits.totalValue)

        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withLeasedConnection { _ in
                holding.yield()
                for await _ in release {}
            }
        }
        for await _ in held { break }
        // Pool saturation, as /metrics shows it: the one connection leased.
        #expect(try metrics.expectMeter("db_pool_connections_in_use").lastValue == 1)
        let waiter = Task { try await pool.withLeasedConnection { _ in "got it" } }
        let seenWaiting = ContinuousClock.now + .seconds(30)
        while waits.totalValue == waitsBefore, ContinuousClock.now < seenWaiting {
            try await Task.sleep(for: .milliseconds(5))
        }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        await #expect(throws: StoreError.unavailable(reason: "no database connection became free in time")) {
            try await pool.withLeasedConnection { _ in () }
        }
        releasing.finish()
        try await holder.value
        let value = try await pool.withLeasedConnection {
            try await $0.query("SELECT 2", logger: db.logger).collect().first?.decode(Int.self)
        }
        #expect(value == 2)
        #expect(try metrics.expectMeter("db_pool_connections_in_use").lastValue == 0)
        // On /metrics: one connection open; the cancelled and the timed-out request waited, the latter in vain.
        #expect(try metrics.expectMeter("db_pool_connections_open").lastValue == 1)
        #expect(waits.totalValue - waitsBefore == 2)
        #expect(timeouts.totalValue - timeoutsBefore == 1)
        #expect(try metrics.expectCounter("db_pool_lease_failures_total", [("reason", "unavailable")]).totalValue == 0)
    }

    /// A server that stops answering without closing the connection (a partition, a frozen host; here the
    /// backend stopped with SIGSTOP) fails the request waiting on it once the statement deadline passes,
    /// rather than when the kernel gives up on the TCP connection; the slot then connects anew. A statement
    /// slower than the checks but within the deadline keeps its connection.
    @Test func aServerThatFallsSilentIsLeftAtTheStatementDeadline() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let metrics = TestMetrics()
        let pool = Self.pool(
            try db.runtimeURL.connectionConfiguration(), size: 1, statementDeadline: .seconds(1), metrics: metrics)
        let store = AgentStore(client: pool, keyring: nil, logger: db.logger)
        let running = Task { await pool.run() }
        defer { running.cancel() }
        try await Self.waitUntilConnected(pool)
        let backend: @Sendable () async throws -> Int32 = {
            try await pool.withLeasedConnection { connection in
                let answer = try await connection.sendingIfOpen("SELECT pg_backend_pid()", logger: db.logger)
                return try #require(try answer.rows.first?.decode(Int32.self))
            }
        }
        let silent = try await backend()
        // Half the deadline, five checks long: answered, and the connection stays.
        try await pool.withLeasedConnection { _ = try await $0.sendingIfOpen("SELECT pg_sleep(0.5)", logger: db.logger) }
        #expect(try await backend() == silent)

        #expect(kill(pid_t(silent), SIGSTOP) == 0)
        // Without the deadline, the request would wait until the backend runs again: here after 20 s.
        let resuming = Task {
            try await Task.sleep(for: .seconds(20))
            kill(pid_t(silent), SIGCONT)
        }
        let start = ContinuousClock.now
        let outcome = await Result {
            try await store.withTenant(user) { try await $0.agents(PageRequest(limit: 5, order: .descending)) }
        }
        let waited = ContinuousClock.now - start
        resuming.cancel()
        kill(pid_t(silent), SIGCONT)
        // Which of the two reasons depends on where the close finds the statement.
        switch outcome {
        case .failure(StoreError.unavailable): break
        default: Issue.record("expected the database to be unavailable, got \(outcome)")
        }
        #expect(waited >= .seconds(1) && waited < .seconds(20), "waited \(waited)")
        #expect(try metrics.expectCounter("db_pool_statement_deadline_closes_total").totalValue == 1)
        // The slot has connected anew, to another backend, and serves.
        try await Self.waitUntilConnected(pool)
        #expect(try await backend() != silent)
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing body.
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Successes and unexpected errors, counted across tasks.
private final class Outcomes: Sendable {
    private let counts = Mutex((successes: 0, others: 0))
    private let finished = Atomic(false)

    func count(success: Bool) {
        counts.withLock { success ? ($0.successes += 1) : ($0.others += 1) }
    }

    var totals: (successes: Int, others: Int) { counts.withLock { $0 } }

    /// Waits (30 s at most) until more than `served` requests have succeeded.
    func servedMore(than served: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while totals.successes <= served {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Tells the load to stop.
    func finish() { finished.store(true, ordering: .relaxed) }

    var isFinished: Bool { finished.load(ordering: .relaxed) }
}
