import Foundation
import PostgresNIO

extension TenantSession {
    /// The start of the current calendar month in UTC, as SQL: budgets are per calendar month.
    static let startOfMonth = "date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"

    /// The tenant's provider calls started in `[from, to)`, totalled by `grouping`, in key order.
    ///
    /// The whole UTC hours of the range are read from the hourly totals of settled calls (migration 27),
    /// with the calls of those hours that the totals leave out (still running, or settled as interrupted by
    /// the operator) from the ledger; the parts of an hour at either end are read from the ledger.
    public func usage(from: Date, to: Date, groupedBy grouping: UsageGrouping) async throws -> [UsageTotal] {
        try TimeWindow.checkOrder(from, to)
        let (hourKey, callKey) =
            switch grouping {
            case .day: ("to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
            case .agent: ("agent_id", "agent_id")
            case .model: ("model", "model")
            }
        // Each value bound once: the statement names them several times.
        var sql = SQLStatement()
        let tenant = sql.bind(userID.rawValue)
        let from = sql.bind(from)
        let to = sql.bind(to)
        let calls = """
            SELECT \(callKey) AS key, 1 AS requests, (status = 'failed')::integer AS failed, prompt_tokens::bigint AS prompt,
                   completion_tokens::bigint AS completion, usage_estimated::integer AS estimated
              FROM provider_calls WHERE user_id = \(tenant)
            """
        let wholeHours = "started_at >= (SELECT start_at FROM hours) AND started_at < (SELECT end_at FROM hours)"
        // The whole hours: from the first hour that starts at or after `from` to the start of the hour
        // holding `to` (the same truncation as the totals' trigger); none, both `to`, within one hour.
        sql.append(
            """
            WITH edges AS (
              SELECT date_trunc('hour', (\(from)::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                       + interval '1 hour' AS first,
                     date_trunc('hour', \(to)::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS last
            ), hours AS (
              SELECT CASE WHEN first < last THEN first ELSE \(to)::timestamptz END AS start_at,
                     CASE WHEN first < last THEN last ELSE \(to)::timestamptz END AS end_at
                FROM edges
            )
            SELECT key, sum(requests)::bigint, sum(failed)::bigint, sum(prompt)::bigint, sum(completion)::bigint,
                   sum(estimated)::bigint
              FROM (
                SELECT \(hourKey) AS key, requests, failed_requests AS failed, prompt_tokens AS prompt,
                       completion_tokens AS completion, estimated_requests AS estimated
                  FROM provider_call_hours
                 WHERE user_id = \(tenant) AND hour >= (SELECT start_at FROM hours) AND hour < (SELECT end_at FROM hours)
                UNION ALL
                \(calls) AND started_at >= \(from) AND started_at < (SELECT start_at FROM hours)
                UNION ALL
                \(calls) AND started_at >= (SELECT end_at FROM hours) AND started_at < \(to)
                UNION ALL
                \(calls) AND status = 'running' AND \(wholeHours)
                UNION ALL
                \(calls) AND error = 'reply-interrupted' AND status <> 'running' AND \(wholeHours)
              ) usage
             GROUP BY 1 ORDER BY 1
            """)
        return try await rows(sql.query) { row in
            let (key, requests, failed, prompt, completion, estimated) = try row.decode((String, Int, Int, Int, Int, Int).self)
            return UsageTotal(
                key: key, requests: requests, failedRequests: failed, promptTokens: prompt, completionTokens: completion,
                estimatedRequests: estimated)
        }
    }

    /// The tenant's effective limits (the operator's override over `defaults`) and this month's use, counted
    /// as a start's checks count it: the settled calls' counter and the running calls' reservations, and the
    /// first attempts started in the last minute.
    public func chatLimitStanding(defaults: ChatLimits) async throws -> ChatLimitStanding {
        let month = try await monthlyStanding(defaults: defaults)
        let recent = try await row(
            """
            SELECT count(*) FROM provider_calls
             WHERE user_id = \(userID.rawValue) AND attempt = 1 AND started_at > now() - interval '1 minute'
            """
        ) { try $0.decode(Int.self) }
        return ChatLimitStanding(
            limits: month.limits, tokensThisMonth: month.settled + month.reserved, tokensReserved: month.reserved,
            requestsThisMinute: recent ?? 0)
    }

    /// The limits in force and this month's tokens as the budget's check counts them: the settled calls'
    /// counter and the running calls' reservations. What a retry's budget check reads; the minute's
    /// requests are no concern of it.
    func monthlyStanding(defaults: ChatLimits) async throws -> (limits: ChatLimits, settled: Int, reserved: Int) {
        let standing = try await row(
            """
            SELECT l.monthly_token_budget, l.requests_per_minute,
                   coalesce((SELECT u.tokens FROM monthly_token_usage u
                              WHERE u.user_id = \(userID.rawValue) AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0)::bigint,
                   (SELECT coalesce(sum(prompt_tokens + completion_tokens + reserved_tokens), 0) FROM provider_calls
                     WHERE user_id = \(userID.rawValue) AND status = 'running'
                       AND started_at >= \(unescaped: Self.startOfMonth))::bigint
              FROM (SELECT 1) one LEFT JOIN chat_limits l ON l.user_id = \(userID.rawValue)
            """
        ) { try $0.decode((Int?, Int?, Int, Int).self) }
        let (budget, rate, settled, reserved) = try standing.unwrapped(or: .notFound(resource: "user"))
        let limits = defaults.overridden(by: ChatLimits(monthlyTokenBudget: budget, requestsPerMinute: rate))
        return (limits, settled, reserved)
    }
}

extension TenantSession {
    static let providerCallColumns = """
        id, agent_id, message_id, connection_id, model, attempt, status, prompt_tokens, completion_tokens,
        usage_estimated, latency_ms, time_to_first_token_ms, error, started_at, finished_at
        """

    /// The tenant's call ledger, one provider call a row, newest first by default (by when each started):
    /// what `usage` totals, for a bill to be checked call by call; `filter` narrows it.
    public func providerCalls(
        _ request: PageRequest, _ filter: ProviderCallFilter = ProviderCallFilter()
    ) async throws -> Page<ProviderCallRecord> {
        var filters = [("user_id", userID.rawValue)]
        if let agent = filter.agentID { filters.append(("agent_id", agent)) }
        if let connection = filter.connectionID { filters.append(("connection_id", connection)) }
        if let status = filter.status { filters.append(("status", status.rawValue)) }
        return try await listing(
            Self.providerCallColumns, from: "provider_calls", where: filters, orderedBy: "started_at", within: filter.window,
            request, Self.providerCall)
    }

    static func providerCall(_ row: PostgresRow) throws -> ProviderCallRecord {
        let columns = row.makeRandomAccess()
        return ProviderCallRecord(
            id: try columns[0].decode(String.self), agentID: try columns[1].decode(String.self),
            messageID: try columns[2].decode(String?.self), connectionID: try columns[3].decode(String?.self),
            model: try columns[4].decode(String.self), attempt: try columns[5].decode(Int.self),
            // The column's check holds these four.
            status: ProviderCallRecord.Status(rawValue: try columns[6].decode(String.self)) ?? .failed,
            promptTokens: try columns[7].decode(Int.self), completionTokens: try columns[8].decode(Int.self),
            usageEstimated: try columns[9].decode(Bool.self), latencyMilliseconds: try columns[10].decode(Int?.self),
            timeToFirstTokenMilliseconds: try columns[11].decode(Int?.self), error: try columns[12].decode(String?.self),
            startedAt: try columns[13].decode(Date.self), finishedAt: try columns[14].decode(Date?.self))
    }
}
