import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// `/v1/usage`, `/v1/usage/calls` and `/v1/limits`: what the tenant's provider calls cost, totalled and call by
/// call, and how much of its limits is used.
struct UsageController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator

    func addRoutes(to v1: RouterGroup<APIRequestContext>) {
        v1.get("usage", use: usage)
        v1.get("usage/calls", use: calls)
        v1.get("limits", use: limits)
    }

    /// `listProviderCalls`: the ledger itself, one provider call a row, newest first by default; narrowed to
    /// one agent, connection or status and to calls started in `[from, to)` where the query says so.
    @Sendable func calls(_ request: Request, context: APIRequestContext) async throws -> ListBody<ProviderCallBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let filter = try Self.callFilter(request.queryFields)
        let calls = try await store.withTenant(of: context) { try await $0.providerCalls(page, filter) }
        return ListBody(calls, ProviderCallBody.init)
    }

    /// The ledger's filter as the query gives it; an id is matched as given (one of no call reads nothing).
    static func callFilter(_ query: FormFields) throws -> ProviderCallFilter {
        let status = try query["status"].map { raw in
            guard let status = ProviderCallRecord.Status(rawValue: raw) else {
                let statuses = ProviderCallRecord.Status.allCases.map(\.rawValue)
                throw Problem.badParameter(
                    "status", "must be \(statuses.dropLast().joined(separator: ", ")) or \(statuses.last ?? "")")
            }
            return status
        }
        return ProviderCallFilter(
            agentID: query["agent_id"], connectionID: query["connection_id"], status: status,
            window: try TimeWindow(from: query["from"].map { try time($0, "from") }, to: query["to"].map { try time($0, "to") }))
    }

    /// `getUsage`: totals of the ledger in `[from, to)` (default: the last 30 days), by day, agent or model.
    @Sendable func usage(_ request: Request, context: APIRequestContext) async throws -> UsageReportBody {
        let query = request.queryFields
        let to = try query["to"].map { try Self.time($0, "to") } ?? Date()
        // By default 30 days before `to`, no earlier than the first time a `from` may name.
        let from =
            try query["from"].map { try Self.time($0, "from") }
            ?? max(to.addingTimeInterval(-30 * 86_400), Self.times.lowerBound)
        let grouping =
            try query["group_by"].map { raw in
                guard let grouping = UsageGrouping(rawValue: raw) else {
                    throw Problem.badParameter("group_by", "must be day, agent or model")
                }
                return grouping
            } ?? .day
        let totals = try await store.withTenant(of: context) { try await $0.usage(from: from, to: to, groupedBy: grouping) }
        return UsageReportBody(from: from, to: to, groupBy: grouping.rawValue, totals: totals)
    }

    /// `getLimits`: the tenant's effective limits and this month's use.
    @Sendable func limits(_ request: Request, context: APIRequestContext) async throws -> LimitsBody {
        let defaults = replies.settings.defaultLimits
        return LimitsBody(try await store.withTenant(of: context) { try await $0.chatLimitStanding(defaults: defaults) })
    }

    /// A query parameter's time: RFC 3339 (`2026-12-01T00:00:00Z`) or a date (`2026-12-01`, midnight UTC).
    /// Anything else is a 400; one outside `times` is a 422.
    static func time(_ raw: String, _ name: String) throws -> Date {
        // A `+` of an offset sent unencoded (as curl and hand-written URLs do) reads as a space in a query.
        let offset = raw.count > 6 && raw.dropLast(5).last == " " ? raw.dropLast(6) + "+" + raw.suffix(5) : raw
        guard let date = RFC3339.date(from: offset) else {
            throw Problem.badParameter(name, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
        }
        guard times.contains(date) else { throw Problem.invalid(field: name, reason: "must be in the years 1900 to 9999") }
        return date
    }

    /// The times `from` and `to` may name. The report echoes them, and an RFC 3339 time has four digits of
    /// year (a year 0 or below trapped the formatter and took the process down); the default `from` stops at
    /// the first of them.
    static let times = Date(timeIntervalSince1970: -2_208_988_800)..<Date(timeIntervalSince1970: 253_402_300_800)
}

/// The answer of `GET /v1/usage`.
struct UsageReportBody: ResponseEncodable, Sendable {
    let from: Date
    let to: Date
    let groupBy: String
    let data: [Row]

    struct Row: Encodable, Sendable {
        let key: String
        let requests: Int
        let failedRequests: Int
        let promptTokens: Int
        let completionTokens: Int
        let totalTokens: Int
        let estimatedRequests: Int

        enum CodingKeys: String, CodingKey {
            case key, requests
            case failedRequests = "failed_requests"
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
            case estimatedRequests = "estimated_requests"
        }
    }

    init(from: Date, to: Date, groupBy: String, totals: [UsageTotal]) {
        self.from = from
        self.to = to
        self.groupBy = groupBy
        data = totals.map {
            Row(
                key: $0.key, requests: $0.requests, failedRequests: $0.failedRequests, promptTokens: $0.promptTokens,
                completionTokens: $0.completionTokens, totalTokens: $0.promptTokens + $0.completionTokens,
                estimatedRequests: $0.estimatedRequests)
        }
    }

    enum CodingKeys: String, CodingKey {
        case from, to, data
        case groupBy = "group_by"
    }
}

/// The answer of `GET /v1/limits`; a null limit is unlimited.
struct LimitsBody: ResponseEncodable, Sendable {
    @Nullable var monthlyTokenBudget: Int?
    @Nullable var requestsPerMinute: Int?
    let tokensThisMonth: Int
    let tokensReserved: Int
    let requestsThisMinute: Int

    init(_ standing: ChatLimitStanding) {
        monthlyTokenBudget = standing.limits.monthlyTokenBudget
        requestsPerMinute = standing.limits.requestsPerMinute
        tokensThisMonth = standing.tokensThisMonth
        tokensReserved = standing.tokensReserved
        requestsThisMinute = standing.requestsThisMinute
    }

    enum CodingKeys: String, CodingKey {
        case monthlyTokenBudget = "monthly_token_budget"
        case requestsPerMinute = "requests_per_minute"
        case tokensThisMonth = "tokens_this_month"
        case tokensReserved = "tokens_reserved"
        case requestsThisMinute = "requests_this_minute"
    }
}
