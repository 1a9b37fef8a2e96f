/// How much a tenant may ask of model providers: a token budget per calendar month (UTC) and model
/// requests per minute. Nil is unlimited.
///
/// The operator sets defaults for every tenant and may override either for one tenant.
public struct ChatLimits: Sendable, Equatable {
    public var monthlyTokenBudget: Int?
    public var requestsPerMinute: Int?

    public init(monthlyTokenBudget: Int? = nil, requestsPerMinute: Int? = nil) {
        self.monthlyTokenBudget = monthlyTokenBudget
        self.requestsPerMinute = requestsPerMinute
    }

    /// No limit at all.
    public static let unlimited = ChatLimits()

    /// What an override stores for "unlimited": its column's largest value (a budget is a `bigint`, a rate an
    /// `integer`), since an override of nil takes the default, and unlimited for one tenant must outlive a
    /// lower default.
    public static let unlimitedMonthlyTokenBudget = Int(Int64.max)
    public static let unlimitedRequestsPerMinute = Int(Int32.max)

    /// These limits where an override sets none, the override's where it does; an override's unlimited
    /// (``unlimitedMonthlyTokenBudget``, ``unlimitedRequestsPerMinute``) is nil, as every other unlimited is,
    /// so that no reader shows a tenant a budget of nine quintillion tokens.
    public func overridden(by override: ChatLimits) -> ChatLimits {
        let budget = override.monthlyTokenBudget ?? monthlyTokenBudget
        let rate = override.requestsPerMinute ?? requestsPerMinute
        return ChatLimits(
            monthlyTokenBudget: budget == Self.unlimitedMonthlyTokenBudget ? nil : budget,
            requestsPerMinute: rate == Self.unlimitedRequestsPerMinute ? nil : rate)
    }
}

/// A limit a call would break, decided before the provider is called.
public struct LimitExceeded: Sendable, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case monthlyTokenBudget = "monthly token budget"
        case requestsPerMinute = "model requests per minute"
    }

    public let limit: Limit
    /// Whole seconds until the limit allows the call again; nil when no wait will, at the limits as they are
    /// (a call that alone reserves more than the whole monthly budget, a per-minute limit of 0).
    public let retryAfterSeconds: Int?

    public init(limit: Limit, retryAfterSeconds: Int?) {
        self.limit = limit
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        retryAfterSeconds == nil ? "the \(limit.rawValue) does not allow this call" : "the \(limit.rawValue) is used up"
    }
}
