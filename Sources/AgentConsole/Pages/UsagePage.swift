import AgentAPI
import AgentReplies
import AgentStore
import Foundation
import Hummingbird

/// `/usage`: tokens and requests per day and per agent over the last 30 days, the tenant's limits, and
/// how much of this month's budget is used.
struct UsagePage: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("usage", use: show)
    }

    struct Row: Sendable {
        let key: String
        let label: String
        let requests: String
        let failed: String
        let promptTokens: String
        let completionTokens: String
        let estimated: Bool
        /// Whether the row's agent still exists, for a link to it (a deleted agent's usage stays).
        var linked = true
    }

    /// A provider call of the ledger, newest first: what the tenant was billed, call by call.
    struct Call: Sendable {
        let time: String
        let agent: String
        let attempt: Int
        let status: String
        let tokens: String
        let estimated: Bool
        let latency: String
        let error: String?

        init(_ call: ProviderCallRecord, agents: [String: String]) {
            time = ConsoleFormat.time(call.startedAt)
            agent = UsagePage.agentLabel(call.agentID, names: agents)
            attempt = call.attempt
            status = call.status.rawValue
            tokens = "\(ConsoleFormat.count(call.promptTokens)) + \(ConsoleFormat.count(call.completionTokens))"
            estimated = call.usageEstimated
            latency = call.latencyMilliseconds.map { "\(ConsoleFormat.count($0)) ms" } ?? ""
            error = call.error
        }
    }

    /// An agent of a usage row by its name, or, deleted (its usage stays), by its id and so marked, as the
    /// audit log marks it.
    static func agentLabel(_ id: String, names: [String: String]) -> String {
        names[id] ?? "\(id) (deleted)"
    }

    /// How many of the newest calls the page lists; `GET /v1/usage/calls` pages through all of them.
    static let callsListed = 20

    struct Page: Sendable {
        let chrome: Chrome
        let chart: UsageChart
        let days: [Row]
        /// Whether a day's tokens include estimates (its "~"), which a note under the table then explains:
        /// the abbreviation's tooltip alone is out of reach on a touch screen.
        let estimated: Bool
        let agents: [Row]
        let budget: String
        let used: String
        /// Of `used`, what replies still running hold; nil when none do.
        let reserved: String?
        let usedPercent: Int?
        /// The progress bar's value: `usedPercent`, at most 100.
        let usedBar: Int?
        /// Tokens used past the budget, when there are any: a call is let through on an estimate of its prompt,
        /// and billed what its provider counts.
        let overBudget: String?
        let requestsPerMinute: String
        let requestsThisMinute: String
        let calls: [Call]
        // Stored, not computed: the template's lookups read a model's stored properties.
        let hasCalls: Bool
        let callsListed = UsagePage.callsListed
        /// What a call of an agent that sets no `max_tokens` holds of the budget.
        let defaultMaximumTokens: String
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let calendar = Self.utcCalendar
        let today = calendar.startOfDay(for: Date())
        let from = calendar.date(byAdding: .day, value: -29, to: today)!
        let to = calendar.date(byAdding: .day, value: 1, to: today)!
        let defaults = api.replies.settings.defaultLimits
        let (user, byDay, byAgent, standing, calls, names) = try await api.store.withTenant(
            visit.userID, requestID: context.requestID
        ) { session in
            let byAgent = try await session.usage(from: from, to: to, groupedBy: .agent)
            let calls = try await session.providerCalls(PageRequest(limit: Self.callsListed, order: .descending)).items
            return (
                try await session.currentUserIfExists(), try await session.usage(from: from, to: to, groupedBy: .day),
                byAgent, try await session.chatLimitStanding(defaults: defaults), calls,
                try await session.agentNames(byAgent.map(\.key) + calls.map(\.agentID))
            )
        }
        let totals = Dictionary(byDay.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let days = (0..<30).map { offset -> (day: String, total: UsageTotal?) in
            let day = Self.dayKey(calendar.date(byAdding: .day, value: offset, to: from)!)
            return (day, totals[day])
        }
        let budget = standing.limits.monthlyTokenBudget
        // A budget of none has no share to show: the notice says how far over it the month is.
        let usedPercent = budget.flatMap { $0 > 0 ? Self.percentUsed(standing.tokensThisMonth, of: $0) : nil }
        let model = Page(
            chrome: Chrome(title: "Usage", section: .usage, assets: pages.assets, visit: visit, email: user?.email),
            chart: UsageChart(days: days.map { ($0.day, ($0.total?.promptTokens ?? 0) + ($0.total?.completionTokens ?? 0)) }),
            days: days.reversed().compactMap { day in day.total.map { Self.row($0, label: day.day) } },
            estimated: days.contains { ($0.total?.estimatedRequests ?? 0) > 0 },
            agents: byAgent.map { total in
                var row = Self.row(total, label: Self.agentLabel(total.key, names: names))
                row.linked = names[total.key] != nil
                return row
            },
            budget: budget.map { "\(ConsoleFormat.count($0)) tokens a month" } ?? "no monthly budget",
            used: ConsoleFormat.count(standing.tokensThisMonth),
            reserved: standing.tokensReserved > 0 ? ConsoleFormat.count(standing.tokensReserved) : nil,
            usedPercent: usedPercent, usedBar: usedPercent.map { min(100, $0) },
            overBudget: budget.flatMap {
                standing.tokensThisMonth > $0 ? ConsoleFormat.count(standing.tokensThisMonth - $0) : nil
            },
            requestsPerMinute: standing.limits.requestsPerMinute.map { "\($0) model requests a minute" }
                ?? "no request rate limit",
            requestsThisMinute: ConsoleFormat.count(standing.requestsThisMinute),
            calls: calls.map { Call($0, agents: names) }, hasCalls: !calls.isEmpty,
            defaultMaximumTokens: ConsoleFormat.count(api.replies.settings.contextBudget.defaultMaximumTokens))
        return pages.page("usage", model)
    }

    /// The share of `budget` that `used` took, in percent: past 100 when the month went over it (shown as it
    /// is, never hidden at 100). In floating point, since a budget may be as large as an integer goes
    /// (`agentctl users limits --monthly-tokens` takes any) and `used` times 100 would trap.
    static func percentUsed(_ used: Int, of budget: Int) -> Int {
        guard budget > 0 else { return used > 0 ? 1_000_000 : 100 }
        return Int(min(1_000_000, max(0, (Double(used) * 100 / Double(budget)).rounded(.down))))
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// A day as the usage report keys it: `YYYY-MM-DD`, UTC.
    static func dayKey(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func row(_ total: UsageTotal, label: String) -> Row {
        Row(
            key: total.key, label: label, requests: ConsoleFormat.count(total.requests),
            failed: ConsoleFormat.count(total.failedRequests), promptTokens: ConsoleFormat.count(total.promptTokens),
            completionTokens: ConsoleFormat.count(total.completionTokens), estimated: total.estimatedRequests > 0)
    }
}
