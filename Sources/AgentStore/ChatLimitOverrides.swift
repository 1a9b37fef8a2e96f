import Logging
import PostgresNIO

/// The operator's per-tenant overrides of the chat limits, read and written as the `agent_operator` role;
/// a tenant can read its own and change none. Each change is recorded in the operator's audit log (no tenant), naming the user.
public struct ChatLimitOverrides: Sendable {
    let admin: PostgresClient
    let logger: Logger

    public init(admin: PostgresClient, logger: Logger) {
        self.admin = admin
        self.logger = logger
    }

    /// The tenant's overrides; nil fields take the operator's defaults.
    public func overrides(for user: UserID) async throws -> ChatLimits {
        try await admin.withOperatorTransaction(logger: logger) { connection in
            let row = try await connection.rowsIfOpen(
                "SELECT monthly_token_budget, requests_per_minute FROM chat_limits WHERE user_id = \(user.rawValue)",
                logger: logger
            ).first
            guard let (budget, rate) = try row?.decode((Int?, Int?).self) else { return ChatLimits() }
            return ChatLimits(monthlyTokenBudget: budget, requestsPerMinute: rate)
        }
    }

    /// Replaces the tenant's overrides; all-nil removes them.
    public func set(_ limits: ChatLimits, for user: UserID) async throws {
        if let budget = limits.monthlyTokenBudget, budget < 0 {
            throw StoreError.invalid(field: .monthlyTokenBudget, reason: "must not be negative")
        }
        if let rate = limits.requestsPerMinute, rate < 0 || rate > Int(Int32.max) {
            throw StoreError.invalid(field: .requestsPerMinute, reason: "must be 0 to 2147483647")
        }
        do {
            try await admin.withOperatorTransaction(logger: logger) { connection in
                try await connection.rowsIfOpen(
                    """
                    INSERT INTO chat_limits (user_id, monthly_token_budget, requests_per_minute)
                    VALUES (\(user.rawValue), \(limits.monthlyTokenBudget), \(limits.requestsPerMinute))
                    ON CONFLICT (user_id) DO UPDATE
                      SET monthly_token_budget = EXCLUDED.monthly_token_budget,
                          requests_per_minute = EXCLUDED.requests_per_minute, updated_at = now()
                    """, logger: logger)
                try await connection.rowsIfOpen(
                    """
                    INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, details)
                    VALUES (NULL, 'operator', \(AuditAction.limitsChanged.rawValue), 'user', \(user.rawValue),
                            jsonb_build_object('monthly_token_budget', \(limits.monthlyTokenBudget)::bigint,
                                               'requests_per_minute', \(limits.requestsPerMinute)::integer))
                    """, logger: logger)
            }
        } catch let error as PSQLError {
            // The foreign key names the user that is not there; anything else is said as it is.
            if case .notFound = StoreError(error) { throw StoreError.notFound(resource: "user") }
            throw StoreError(error) ?? error
        }
    }
}
