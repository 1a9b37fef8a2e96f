import AgentTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import AgentStore

/// Work the database could not finish now (a statement past its timeout, one side of a deadlock) is
/// `unavailable`, which the API answers with a 503 the client may try again, not an internal error.
@Suite(.oneDatabase) struct TransientFailureTests {
    let db = TestDatabase.ofSuite!
    static let transient = StoreError.unavailable(reason: "the database could not finish the work now")

    @Test func aStatementPastItsTimeoutIsUnavailable() async throws {
        let user = try await db.makeUser()
        await #expect(throws: Self.transient) {
            try await db.store.withTenant(user) { session in
                try await session.execute("SET LOCAL statement_timeout = '50ms'")
                try await session.execute("SELECT pg_sleep(2)")
            }
        }
    }

    /// A token's check that PostgreSQL cancels (past its statement timeout behind a lock a migration or a
    /// `VACUUM FULL` holds; cancelled here by hand) is unavailable: the statements pipelined behind it fail
    /// only because the transaction was aborted (25P02), and that error, surfacing first, was a 500.
    @Test func aTokensCheckCancelledIsUnavailableNotTheAbortBehindIt() async throws {
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { try await $0.createToken(name: "locked out") }
        let token = try #require(PresentedToken(issued.value))
        try await db.admin.withConnection { holder in
            try await holder.query("BEGIN", logger: db.logger)
            try await holder.query("LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE", logger: db.logger)
            let request = Task {
                try await db.store.withTenant(presenting: token, requiring: .read) { try await $0.currentUser() }
            }
            // The check waits for the lock; then it is cancelled, as a statement timeout cancels it. (Looked for
            // from another session: one transaction reads the activity once.)
            var cancelled = false
            let deadline = ContinuousClock.now + .seconds(20)
            while !cancelled, ContinuousClock.now < deadline {
                cancelled =
                    try await db.admin.query(
                        """
                        SELECT coalesce(bool_or(pg_cancel_backend(pid)), false) FROM pg_stat_activity
                         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%authenticate_token%'
                        """, logger: db.logger
                    ).collect().first?.decode(Bool.self) ?? false
                if !cancelled { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(cancelled)
            await #expect(throws: Self.transient) { try await request.value }
            try await holder.query("ROLLBACK", logger: db.logger)
        }
    }

    /// A database out of disk, memory or a configured resource, or turned read-only (as managed databases
    /// do near full), is not accepting work: unavailable, which the API answers with a 503 and Retry-After,
    /// logged once per cause, where each request was a 500 with an error line of its own.
    @Test(arguments: ["disk_full", "out_of_memory", "configuration_limit_exceeded", "read_only_sql_transaction"])
    func aDatabaseOutOfResourcesIsUnavailable(condition: String) async throws {
        let user = try await db.makeUser()
        await #expect(throws: StoreError.unavailable(reason: "the database is not accepting work")) {
            try await db.store.withTenant(user) { session in
                try await session.execute(
                    PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '\(condition)'; END $$"))
            }
        }
    }

    /// A body that catches a failed statement's error and returns has not committed: PostgreSQL answers the
    /// COMMIT of the aborted transaction with ROLLBACK, and the store says so rather than report success.
    @Test func aTransactionAFailedStatementAbortedDoesNotReportACommit() async throws {
        let user = try await db.makeUser()
        await #expect(throws: RolledBackAtCommit.self) {
            try await db.store.withTenant(user) { session in
                _ = try await session.createAgent(NewAgent(name: "Undone", systemPrompt: "p"))
                _ = try? await session.row("SELECT 'not a number'::int") { try $0.decode(Int.self) }
            }
        }
        let agents = try await db.store.withTenant(user) { try await $0.agents(PageRequest(limit: 5, order: .descending)) }
        #expect(agents.items.isEmpty)
    }

    /// How many transactions hold their first lock.
    final class Holders: Sendable {
        let count = Atomic(0)
    }

    /// Two transactions take two locks in opposite orders, each its second only once both hold their first:
    /// PostgreSQL ends one of them.
    @Test func theLoserOfADeadlockIsUnavailable() async throws {
        let user = try await db.makeUser()
        let key = Int64.random(in: 1...1_000_000_000)
        let holding = Holders()
        func locking(_ first: Int64, then second: Int64) -> Task<Void, any Error> {
            Task {
                try await db.store.withTenant(user) { session in
                    try await session.execute("SELECT pg_advisory_xact_lock(\(first))")
                    holding.count.add(1, ordering: .relaxed)
                    // A loaded machine may start the other transaction late; 30 s at most.
                    for _ in 0..<3_000 where holding.count.load(ordering: .relaxed) < 2 {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    try await session.execute("SELECT pg_advisory_xact_lock(\(second))")
                }
            }
        }
        let one = locking(key, then: key + 1)
        let other = locking(key + 1, then: key)
        var failures: [any Error] = []
        for task in [one, other] {
            if case .failure(let error) = await task.result { failures.append(error) }
        }
        #expect(failures.count == 1)
        #expect(failures.first as? StoreError == Self.transient)
    }
}
