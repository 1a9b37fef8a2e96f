import AgentStore

extension AgentStore {
    /// Runs `body` in one transaction that sets no tenant, so only the queries' own `WHERE user_id = ...`
    /// scope them: what the store's operations cost without row-level security, on a role that bypasses
    /// it. Under the runtime role it sees nothing. Benchmarks only, hence here and not in the store.
    func withQueryFiltersOnly<Result: Sendable>(
        _ userID: UserID, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await transaction(userID, scope: .filtersOnly, requestID: nil, body)
    }

    /// Runs `body` as `withTenant` did before migration 16: a `SET LOCAL` of the tenant ahead of the body's
    /// first statement, whatever that statement is. Benchmarks only.
    func withTenantSetAhead<Result: Sendable>(
        _ userID: UserID, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await transaction(userID, scope: .tenant, requestID: nil, deferringTenant: false, body)
    }
}
