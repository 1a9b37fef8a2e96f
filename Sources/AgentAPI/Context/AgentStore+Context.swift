import AgentStore

extension AgentStore {
    /// Runs `body` in one transaction as the request's tenant, tagged with the request id for the audit log.
    func withTenant<Result: Sendable>(
        of context: APIRequestContext, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        try await withTenant(try context.tenant(), requestID: context.requestID, body)
    }
}
