import Logging
import PostgresNIO

/// The operator's per-tenant overrides of the chat limits, read and written as the `agent_operator` role;
/// a tenant can read its own and change none. Each change is recorded in the operator's audit log (no tenant), naming the user;
/// the caller records it in the tenant's own (``TenantSession/recordLimitsChange(_:)``), which the operator's role cannot
/// write.
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
    @discardableResult
    public func set(_ limits: ChatLimits, for user: UserID) async throws -> ChatLimitChange {
        try await change(for: user) { $0 = limits }
    }

    /// Changes the tenant's overrides by `change` and returns them as they were and as stored: read and
    /// written in one transaction that holds the tenant's row, so that two operators changing different
    /// limits of one tenant at once both keep their change (read in one transaction and written whole in
    /// another, one of them was lost). Each change is audited; one that changes nothing writes nothing.
    public func change(for user: UserID, _ change: @Sendable (inout ChatLimits) throws -> Void) async throws -> ChatLimitChange {
        do {
            return try await admin.withOperatorTransaction(logger: logger) { connection in
                // Limits outlive their user (migration 21), but are set only for one that exists.
                let exists = try await connection.rowsIfOpen(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = \(user.rawValue))", logger: logger
                ).first?.decode(Bool.self)
                guard exists == true else { throw StoreError.notFound(resource: "user") }
                // The row is made first, then held.
                try await connection.rowsIfOpen(
                    "INSERT INTO chat_limits (user_id) VALUES (\(user.rawValue)) ON CONFLICT (user_id) DO NOTHING",
                    logger: logger)
                let row = try await connection.rowsIfOpen(
                    """
                    SELECT monthly_token_budget, requests_per_minute FROM chat_limits
                     WHERE user_id = \(user.rawValue) FOR UPDATE
                    """, logger: logger
                ).first
                let (budget, rate) = try row.unwrapped(or: .notFound(resource: "user")).decode((Int?, Int?).self)
                let before = ChatLimits(monthlyTokenBudget: budget, requestsPerMinute: rate)
                var limits = before
                try change(&limits)
                try Self.validate(limits)
                let changed = ChatLimitChange(before: before, after: limits)
                guard changed.isChange else { return changed }
                let details = try JSONValue.object(changed.auditDetails).storedText(field: .value)
                try await connection.rowsIfOpen(
                    """
                    UPDATE chat_limits
                       SET monthly_token_budget = \(limits.monthlyTokenBudget), requests_per_minute = \(limits.requestsPerMinute),
                           updated_at = now()
                     WHERE user_id = \(user.rawValue)
                    """, logger: logger)
                try await connection.rowsIfOpen(
                    """
                    INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, details)
                    VALUES (NULL, \(AuditEntry.operatorActor), \(AuditAction.limitsChanged.rawValue), 'user', \(user.rawValue),
                            \(details)::jsonb)
                    """, logger: logger)
                return changed
            }
        } catch let error as PSQLError {
            let mapped = StoreError(error)
            if case .notFound = mapped { throw StoreError.notFound(resource: "user") }
            throw mapped ?? error
        }
    }

    private static func validate(_ limits: ChatLimits) throws(StoreError) {
        if let budget = limits.monthlyTokenBudget, budget < 0 {
            throw .invalid(field: .monthlyTokenBudget, reason: "must not be negative")
        }
        if let rate = limits.requestsPerMinute, rate < 0 || rate > Int(Int32.max) {
            throw .invalid(field: .requestsPerMinute, reason: "must be 0 to 2147483647")
        }
    }
}
