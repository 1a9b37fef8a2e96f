import AgentStore

extension AgentStore {
    /// Runs `body` in one transaction as the request's tenant, tagged with the request id for the audit log.
    /// A personal token not checked yet is checked in the same transaction, scopes included, by its first
    /// statement.
    func withTenant<Result: Sendable>(
        of context: APIRequestContext, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        switch context.credential {
        case .user(let userID, _):
            return try await withTenant(userID, requestID: context.requestID, body)
        case .token(let token, let required, let check):
            let result = try await withTenant(presenting: token, requiring: required, requestID: context.requestID, body)
            check.pass()
            return result
        case nil:
            throw Problem.unauthorized()
        }
    }
}
