import Foundation
import PostgresNIO

extension TenantSession {
    /// The start of the current calendar month in UTC, as SQL: budgets are per calendar month.
    static let startOfMonth = "date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"

    /// The tenant's provider calls started in `[from, to)`, totalled by `grouping`, in key order.
    public func usage(from: Date, to: Date, groupedBy grouping: UsageGrouping) async throws -> [UsageTotal] {
        guard from < to else { throw StoreError.invalid(field: .timeRange, reason: "`from` must be before `to`") }
        let key =
            switch grouping {
            case .day: "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
            case .agent: "agent_id"
            case .model: "model"
            }
        return try await rows(
            """
            SELECT \(unescaped: key) AS key, count(*), count(*) FILTER (WHERE status = 'failed'),
                   coalesce(sum(prompt_tokens), 0)::bigint, coalesce(sum(completion_tokens), 0)::bigint,
                   count(*) FILTER (WHERE usage_estimated)
              FROM provider_calls
             WHERE user_id = \(userID.rawValue) AND started_at >= \(from) AND started_at < \(to)
             GROUP BY 1 ORDER BY 1
            """
        ) { row in
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
