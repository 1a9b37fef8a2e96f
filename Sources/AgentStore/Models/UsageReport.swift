import Foundation

/// How a usage report groups the ledger.
public enum UsageGrouping: String, Sendable, CaseIterable {
    /// By calendar day (UTC), as `YYYY-MM-DD`.
    case day
    case agent
    case model
}

/// The tenant's provider calls in one group of a usage report.
public struct UsageTotal: Sendable, Equatable {
    /// The day, agent id or model the row totals.
    public let key: String
    /// Calls made, retries and failed calls included.
    public let requests: Int
    public let failedRequests: Int
    public let promptTokens: Int
    public let completionTokens: Int
    /// Calls whose counts are estimates (the provider reported no usage).
    public let estimatedRequests: Int
}

/// The tenant's standing against its limits this month.
public struct ChatLimitStanding: Sendable, Equatable {
    public let limits: ChatLimits
    /// Tokens used this calendar month (UTC), including those reserved by calls still running.
    public let tokensThisMonth: Int
    /// The part of ``tokensThisMonth`` that calls still running hold: their prompt and `max_tokens`, given
    /// back as they end. A budget can refuse a call while it is not yet spent.
    public let tokensReserved: Int
    /// Model requests (first attempts) started in the last minute, as the per-minute limit counts them.
    public let requestsThisMinute: Int
}
