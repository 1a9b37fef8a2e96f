import AgentTestSupport
import Foundation
import PostgresNIO
import Synchronization
import Testing

@testable import AgentStore

/// Migration 15: an operator settles, across tenants, what a stopped platform left running, and nothing else.
@Suite struct InterruptedRepliesTests {
    /// A reply of `tenant`'s agent started and never settled, as a process that died would leave it.
    private func leftRunning(_ f: TenantFixture, _ tenant: TenantFixture.Tenant, conversation: String) async throws
        -> ReplyStart
    {
        try await f.db.store.withTenant(tenant.user) {
            try await $0.beginReply(
                agentID: tenant.agent.id, conversationID: ConversationID(rawValue: conversation)!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
        }
    }

    /// Moves a call and its reply an hour into the past, as the administrator.
    private func age(_ f: TenantFixture, _ start: ReplyStart) async throws {
        try await f.db.admin.query(
            "UPDATE provider_calls SET started_at = now() - interval '1 hour' WHERE id = \(start.call.rawValue)",
            logger: f.db.logger)
        try await f.db.admin.query(
            "UPDATE agent_messages SET created_at = now() - interval '1 hour' WHERE id = \(start.reply.id.rawValue)",
            logger: f.db.logger)
    }

    /// Status, error and reserved tokens of a call, and status and error of its reply, read as the administrator.
    private func state(_ f: TenantFixture, _ start: ReplyStart) async throws -> (String, String?, Int, String, String?) {
        let call = try await f.db.admin.query(
            "SELECT status, error, reserved_tokens FROM provider_calls WHERE id = \(start.call.rawValue)", logger: f.db.logger
        ).collect().first?.decode((String, String?, Int).self)
        let reply = try await f.db.admin.query(
            "SELECT status, error FROM agent_messages WHERE id = \(start.reply.id.rawValue)", logger: f.db.logger
        ).collect().first?.decode((String, String?).self)
        let (callStatus, callError, reserved) = try #require(call)
        let (replyStatus, replyError) = try #require(reply)
        return (callStatus, callError, reserved, replyStatus, replyError)
    }

    @Test func whatWasLeftRunningBeforeTheCutoffFailsAcrossTenants() async throws {
        let f = try await TenantFixture.make()
        let oldA = try await leftRunning(f, f.a, conversation: "old-a")
        let oldB = try await leftRunning(f, f.b, conversation: "old-b")
        let recent = try await leftRunning(f, f.a, conversation: "recent")
        try await age(f, oldA)
        try await age(f, oldB)

        let settled = InterruptedReplies(admin: f.db.admin, logger: f.db.logger)
        let report = try await settled.settle(olderThan: .seconds(600))
        #expect(report == InterruptedReplies.Report(calls: 2, replies: 2))
        for start in [oldA, oldB] {
            let (callStatus, callError, reserved, replyStatus, replyError) = try await state(f, start)
            #expect(callStatus == "failed" && callError == InterruptedReplies.slug && reserved == 0)
            #expect(replyStatus == "failed" && replyError == InterruptedReplies.slug)
        }
        let (recentCall, _, recentReserved, recentReply, _) = try await state(f, recent)
        #expect(recentCall == "running" && recentReserved > 0 && recentReply == "streaming")

        // Recorded once in the operator's audit log; a second pass finds nothing and records nothing.
        #expect(try await settled.settle(olderThan: .seconds(600)) == .init(calls: 0, replies: 0))
        let audited = try await f.db.admin.query(
            "SELECT details->>'calls', details->>'replies' FROM audit_log WHERE action = 'replies.interrupted' AND tenant_id IS NULL",
            logger: f.db.logger
        ).collect().map { try $0.decode((String, String).self) }
        #expect(audited.count == 1 && audited.first?.0 == "2" && audited.first?.1 == "2")
    }

    /// `serve`'s sweep settles what was left running by itself, as the command does, and leaves what is
    /// recent; a sweep that fails (a database away) is tried again at the next interval.
    @Test func theSweepSettlesWhatWasLeftRunningByItself() async throws {
        let f = try await TenantFixture.make()
        let old = try await leftRunning(f, f.a, conversation: "old")
        let recent = try await leftRunning(f, f.b, conversation: "recent")
        try await age(f, old)
        let sweep = InterruptedReplySweep(
            admin: f.db.adminURL, age: .seconds(600), interval: .milliseconds(100), logger: f.db.logger)
        let sweeping = Task { await sweep.run() }
        defer { sweeping.cancel() }
        for _ in 0..<1500 where try await state(f, old).3 == "streaming" { try await Task.sleep(for: .milliseconds(20)) }
        let (callStatus, _, reserved, replyStatus, replyError) = try await state(f, old)
        #expect(callStatus == "failed" && reserved == 0 && replyStatus == "failed" && replyError == InterruptedReplies.slug)
        #expect(try await state(f, recent).3 == "streaming")
    }

    /// A database that takes the sweep's login and then falls silent holds it no longer than its deadline,
    /// and a shutdown ends it at once; either used to wait until TCP gave up, and a shutdown with it.
    @Test func aSilentDatabaseHoldsASweepNoLongerThanItsDeadline() async throws {
        let f = try await TenantFixture.make()
        let proxy = try await DatabaseProxy.start(to: f.db.adminURL, silentAfterLogin: true)
        defer { Task { await proxy.stop() } }
        let admin = f.db.adminURL
        let silent = try DatabaseURL(
            "postgresql://\(admin.user)\(admin.password.map { ":\($0)" } ?? "")@127.0.0.1:\(proxy.port)/\(admin.database)?sslmode=disable"
        )
        let clock = ContinuousClock()
        for cancelled in [false, true] {
            let sweep = InterruptedReplySweep(
                admin: silent, age: .seconds(600), longestSweep: .seconds(cancelled ? 60 : 1), logger: f.db.logger)
            let started = clock.now
            let sweeping = Task { await sweep.sweep() }
            if cancelled {
                // Cancelled once its login reached the silent server (a cancel before it would stop the connect
                // and count no login): polled, as a loaded machine may take longer than any fixed wait.
                while proxy.logins < 2, clock.now - started < .seconds(20) { try await Task.sleep(for: .milliseconds(20)) }
                sweeping.cancel()
            }
            // Polled, so that a sweep that never returns fails the test rather than hang it.
            final class Ended: Sendable { let value = Atomic<Bool>(false) }
            let ended = Ended()
            Task {
                await sweeping.value
                ended.value.store(true, ordering: .relaxed)
            }
            while !ended.value.load(ordering: .relaxed), clock.now - started < .seconds(30) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let waited = clock.now - started
            // Its 1 s, or the cancel once logged in, and the connect: far less than a loaded machine's 20 s.
            #expect(waited < .seconds(20), "cancelled \(cancelled): \(waited)")
        }
        #expect(proxy.logins == 2)
    }

    @Test func theReleasedReservationNoLongerCountsAgainstTheBudget() async throws {
        let f = try await TenantFixture.make()
        let stuck = try await leftRunning(f, f.a, conversation: "stuck")
        try await age(f, stuck)
        let limits = ChatLimits(monthlyTokenBudget: 1_000_000)
        let before = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: limits) }
        #expect(before.tokensThisMonth > 0)
        _ = try await InterruptedReplies(admin: f.db.admin, logger: f.db.logger).settle(
            olderThan: .seconds(600))
        let after = try await f.db.store.withTenant(f.a.user) { try await $0.chatLimitStanding(defaults: limits) }
        #expect(after.tokensThisMonth == 0)
    }

    /// The operator's role reads no content and can do nothing else to a reply or a call.
    @Test func theOperatorRoleSeesNoContentAndOnlyFailsWhatRuns() async throws {
        let f = try await TenantFixture.make()
        let stuck = try await leftRunning(f, f.a, conversation: "stuck")
        let finished = try await f.db.store.withTenant(f.a.user) {
            try await $0.appendMessage(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "done")!, NewMessage(role: .user, content: "hi"))
        }
        func state(_ sql: PostgresQuery) async -> String? {
            do {
                try await f.db.admin.withConnection { connection in
                    try await connection.query("BEGIN", logger: f.db.logger)
                    try await connection.query("SET LOCAL ROLE agent_operator", logger: f.db.logger)
                    do {
                        try await connection.query(sql, logger: f.db.logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: f.db.logger)
                        throw error
                    }
                    try await connection.query("ROLLBACK", logger: f.db.logger)
                }
                return nil
            } catch let error as PSQLError {
                return error.serverInfo?[.sqlState]
            } catch {
                return "other"
            }
        }
        #expect(await state("SELECT content FROM agent_messages WHERE id = \(stuck.reply.id.rawValue)") == "42501")
        #expect(await state("SELECT agent_id FROM provider_calls WHERE id = \(stuck.call.rawValue)") == "42501")
        #expect(
            await state("UPDATE agent_messages SET content = 'x' WHERE id = \(stuck.reply.id.rawValue)") == "42501")
        #expect(
            await state("UPDATE agent_messages SET status = 'complete' WHERE id = \(stuck.reply.id.rawValue)") == "42501")
        #expect(
            await state("UPDATE provider_calls SET status = 'complete', reserved_tokens = 0 WHERE id = \(stuck.call.rawValue)")
                == "42501")
        // A finished message is not even visible to it: failing it changes nothing.
        #expect(await state("UPDATE agent_messages SET status = 'failed' WHERE id = \(finished.id.rawValue)") == nil)
        let status = try await f.db.admin.query(
            "SELECT status FROM agent_messages WHERE id = \(finished.id.rawValue)", logger: f.db.logger
        ).collect().first?.decode(String.self)
        #expect(status == "complete")
    }
}
