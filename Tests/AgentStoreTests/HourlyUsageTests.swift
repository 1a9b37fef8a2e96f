import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

/// Migration 27: usage reports read hourly totals of settled calls, kept by a trigger on the ledger, and
/// the rest (the ends of the range, running calls, calls the operator settled as interrupted) from the
/// ledger; a report is what summing the ledger gives.
@Suite struct HourlyUsageTests {
    /// A call entered in the ledger as the administrator, at a chosen time.
    struct Call {
        var minutes: Double
        var agent = "agent-1"
        var model = "m1"
        var status = "complete"
        var error: String?
        var prompt = 10
        var completion = 5
        var estimated = false
    }

    /// The start of an hour three days ago, UTC.
    static let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3_600).rounded(.down) * 3_600 - 3 * 86_400)

    /// Calls spread over 50 hours, on and between hour boundaries, of every kind a report counts.
    static let calls: [Call] = (0..<80).map { index in
        var call = Call(minutes: Double(index) * 37 + (index.isMultiple(of: 4) ? 0 : 0.25))
        call.agent = index.isMultiple(of: 3) ? "agent-2" : "agent-1"
        call.model = index.isMultiple(of: 2) ? "m1" : "m2"
        call.prompt = 10 + index
        call.completion = index * 2
        call.estimated = index.isMultiple(of: 5)
        switch index % 6 {
        case 1:
            call.status = "failed"
            call.error = "provider-unavailable"
        case 2: call.status = "cancelled"
        case 3: call.status = "running"
        case 4:
            call.status = "failed"
            call.error = "reply-interrupted"
        default: break
        }
        return call
    }

    private func enter(_ f: TenantFixture, _ tenant: UserID, _ calls: [Call]) async throws {
        for call in calls {
            try await f.db.admin.query(
                """
                INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, error, prompt_tokens, completion_tokens,
                                            usage_estimated, started_at)
                VALUES (\(tenant.rawValue), \(call.agent), \(call.model), 1, \(call.status), \(call.error), \(call.prompt),
                        \(call.completion), \(call.estimated), \(Self.base.addingTimeInterval(call.minutes * 60)))
                """, logger: f.db.logger)
        }
    }

    /// A report as text, one line per key, to compare.
    private static func lines(_ totals: [UsageTotal]) -> [String] {
        totals.map {
            "\($0.key) \($0.requests) \($0.failedRequests) \($0.promptTokens) \($0.completionTokens) \($0.estimatedRequests)"
        }
    }

    private func report(_ f: TenantFixture, _ tenant: UserID, _ from: Date, _ to: Date, _ grouping: UsageGrouping) async throws
        -> [String]
    {
        Self.lines(try await f.db.store.withTenant(tenant) { try await $0.usage(from: from, to: to, groupedBy: grouping) })
    }

    /// The report as summing the ledger gives it (the query before migration 27), as the administrator.
    private func ledgerReport(_ f: TenantFixture, _ tenant: UserID, _ from: Date, _ to: Date, _ grouping: UsageGrouping)
        async throws -> [String]
    {
        let key =
            switch grouping {
            case .day: "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            case .agent: "agent_id"
            case .model: "model"
            }
        let rows = try await f.db.admin.query(
            """
            SELECT \(unescaped: key), count(*), count(*) FILTER (WHERE status = 'failed'),
                   coalesce(sum(prompt_tokens), 0)::bigint, coalesce(sum(completion_tokens), 0)::bigint,
                   count(*) FILTER (WHERE usage_estimated)
              FROM provider_calls WHERE user_id = \(tenant.rawValue) AND started_at >= \(from) AND started_at < \(to)
             GROUP BY 1 ORDER BY 1
            """, logger: f.db.logger
        ).collect()
        return try rows.map { row in
            let (key, requests, failed, prompt, completion, estimated) = try row.decode((String, Int, Int, Int, Int, Int).self)
            return "\(key) \(requests) \(failed) \(prompt) \(completion) \(estimated)"
        }
    }

    /// The hourly totals against the ledger's settled calls (neither running nor interrupted), hour by hour;
    /// a total emptied by a call that moved away may stay, all zeros.
    private func totalsMatchTheLedger(_ f: TenantFixture) async throws {
        let totals = try await f.db.admin.query(
            """
            SELECT user_id, hour::text, agent_id, model, requests, failed_requests, prompt_tokens, completion_tokens,
                   estimated_requests
              FROM provider_call_hours
             WHERE requests <> 0 OR failed_requests <> 0 OR prompt_tokens <> 0 OR completion_tokens <> 0 OR estimated_requests <> 0
             ORDER BY 1, 2, 3, 4
            """, logger: f.db.logger
        ).collect().map { try $0.decode((String, String, String, String, Int, Int, Int, Int, Int).self) }
        let ledger = try await f.db.admin.query(
            """
            SELECT user_id, (date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::text, agent_id, model,
                   count(*), count(*) FILTER (WHERE status = 'failed'), sum(prompt_tokens)::bigint,
                   sum(completion_tokens)::bigint, count(*) FILTER (WHERE usage_estimated)
              FROM provider_calls
             WHERE status <> 'running' AND error IS DISTINCT FROM 'reply-interrupted'
             GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """, logger: f.db.logger
        ).collect().map { try $0.decode((String, String, String, String, Int, Int, Int, Int, Int).self) }
        #expect(totals.map { "\($0)" } == ledger.map { "\($0)" })
    }

    @Test func aReportIsWhatSummingTheLedgerGives() async throws {
        let f = try await TenantFixture.make()
        try await enter(f, f.a.user, Self.calls)
        try await enter(f, f.b.user, Array(Self.calls.prefix(20)))
        try await totalsMatchTheLedger(f)

        let hour = 3_600.0
        let base = Self.base
        let ranges: [(Date, Date)] = [
            (base, base + 50 * hour),  // whole hours only
            (base - 86_400, base + 86_400 * 3),  // days around all of it
            (base + 600, base + 1_200),  // within one hour
            (base + 1_800, base + 2 * hour + 300),  // parts of hours at both ends
            (base + hour, base + 2 * hour),  // exactly one hour
            (base - 1, base + 1),  // across a boundary, within a second
            (base + hour - 0.5, base + hour + 0.5),
            (base + 37 * 60, base + 37 * 60 + 0.25),  // one call's start, to the microsecond
            (base + 7 * hour + 1_234.5, base + 33 * hour + 59.75),
        ]
        for (from, to) in ranges {
            for grouping in [UsageGrouping.day, .agent, .model] {
                let read = try await report(f, f.a.user, from, to, grouping)
                let summed = try await ledgerReport(f, f.a.user, from, to, grouping)
                #expect(read == summed, "\(from) to \(to) by \(grouping)")
            }
        }
        // Every kind of call counted, the other tenant's none.
        let all = try await report(f, f.a.user, base - 86_400, base + 86_400 * 3, .model)
        #expect(all == ["m1 40 13 1960 3120 8", "m2 40 14 2000 3200 8"])

        // The whole hours come from the totals, the parts of an hour from the ledger: a total changed behind
        // the trigger's back shows in a report of its whole hour, not in one of part of it.
        try await f.db.admin.query(
            """
            UPDATE provider_call_hours SET requests = requests + 1000
             WHERE user_id = \(f.a.user.rawValue) AND hour = \(base + hour) AND model = 'm1'
            """, logger: f.db.logger)
        #expect(try await report(f, f.a.user, base + hour, base + 2 * hour, .model).first?.hasPrefix("m1 1001 ") == true)
        #expect(try await report(f, f.a.user, base + hour + 1, base + 2 * hour, .model).first?.hasPrefix("m1 1 ") == true)
        // Another tenant reads none of the totals.
        let seen = try await f.db.asTenant(f.b.user) { connection in
            try await connection.query("SELECT DISTINCT user_id FROM provider_call_hours", logger: f.db.logger).collect()
                .map { try $0.decode(String.self) }
        }
        #expect(seen == [f.b.user.rawValue])
    }

    /// Settling a call adds it to its hour's totals; settling it again, or moving it (as an administrator
    /// may), moves them with it; a start adds nothing (a running call is read from the ledger).
    @Test func theTotalsFollowTheLedgersChanges() async throws {
        let f = try await TenantFixture.make()
        var running = Call(minutes: 30)
        running.status = "running"
        try await enter(f, f.a.user, [running, Call(minutes: 95)])
        let countedBefore = try await f.db.admin.query("SELECT count(*) FROM provider_call_hours", logger: f.db.logger)
            .collect().first?.decode(Int.self)
        #expect(countedBefore == 1)

        let changes: [PostgresQuery] = [
            "UPDATE provider_calls SET status = 'complete', prompt_tokens = 40, completion_tokens = 7 WHERE status = 'running'",
            "UPDATE provider_calls SET completion_tokens = 9, usage_estimated = true WHERE prompt_tokens = 40",
            "UPDATE provider_calls SET status = 'failed', error = 'provider-unavailable' WHERE prompt_tokens = 40",
            "UPDATE provider_calls SET started_at = started_at + interval '2 hours', model = 'm3' WHERE prompt_tokens = 40",
            "UPDATE provider_calls SET agent_id = 'agent-9' WHERE prompt_tokens = 10",
        ]
        for change in changes {
            try await f.db.admin.query(change, logger: f.db.logger)
            try await totalsMatchTheLedger(f)
            for grouping in [UsageGrouping.day, .agent, .model] {
                let read = try await report(f, f.a.user, Self.base - 3_600, Self.base + 5 * 3_600, grouping)
                #expect(read == (try await ledgerReport(f, f.a.user, Self.base - 3_600, Self.base + 5 * 3_600, grouping)))
            }
        }
    }

    /// A call the operator settles as interrupted is counted from the ledger, and that role, which may
    /// change nothing of the totals, still settles it.
    @Test func theOperatorsInterruptedCallsAreCounted() async throws {
        let f = try await TenantFixture.make()
        _ = try await f.db.store.withTenant(f.a.user) {
            try await $0.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "left")!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
        }
        try await f.db.admin.query("UPDATE provider_calls SET started_at = now() - interval '2 hours'", logger: f.db.logger)
        let settled = try await InterruptedReplies(admin: f.db.admin, logger: f.db.logger).settle(olderThan: .seconds(600))
        #expect(settled.calls == 1)
        let from = Date().addingTimeInterval(-86_400)
        let to = Date().addingTimeInterval(60)
        let read = try await report(f, f.a.user, from, to, .agent)
        #expect(read == ["\(f.a.agent.id.rawValue) 1 1 0 0 0"])
        #expect(read == (try await ledgerReport(f, f.a.user, from, to, .agent)))
        try await totalsMatchTheLedger(f)
    }

    /// The migration fills the totals from the calls entered before it.
    @Test func theMigrationCountsTheCallsBeforeIt() async throws {
        let f = try await TenantFixture.make()
        let migrator = Migrator(client: f.db.admin, logger: f.db.logger)
        try await migrator.down(to: 26)
        try await enter(f, f.a.user, Self.calls)
        try await migrator.up()
        try await totalsMatchTheLedger(f)
        let from = Self.base - 86_400
        let to = Self.base + 86_400 * 3
        #expect(try await report(f, f.a.user, from, to, .day) == (try await ledgerReport(f, f.a.user, from, to, .day)))
    }
}
