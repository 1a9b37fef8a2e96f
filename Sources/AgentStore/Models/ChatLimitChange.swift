/// An operator's change of one tenant's limit overrides: what they were and what they are. Recorded in the
/// operator's audit log and, as the operator's, in the tenant's own, so that a tenant sees when and how
/// its limits changed.
public struct ChatLimitChange: Sendable, Equatable {
    public let before: ChatLimits
    public let after: ChatLimits

    public init(before: ChatLimits, after: ChatLimits) {
        self.before = before
        self.after = after
    }

    /// Whether anything changed: an unchanged setting is neither written nor recorded.
    public var isChange: Bool { before != after }

    /// The audit entry's details: the overrides as they are and, under `previous`, as they were. An override
    /// is its number, `"unlimited"`, or null where the platform's default applies.
    package var auditDetails: [String: JSONValue] {
        var details = Self.members(after)
        details["previous"] = .object(Self.members(before))
        return details
    }

    private static func members(_ limits: ChatLimits) -> [String: JSONValue] {
        [
            "monthly_token_budget": value(limits.monthlyTokenBudget, unlimited: ChatLimits.unlimitedMonthlyTokenBudget),
            "requests_per_minute": value(limits.requestsPerMinute, unlimited: ChatLimits.unlimitedRequestsPerMinute),
        ]
    }

    private static func value(_ limit: Int?, unlimited: Int) -> JSONValue {
        guard let limit else { return .null }
        return limit == unlimited ? .string("unlimited") : .integer(Int64(limit))
    }
}
