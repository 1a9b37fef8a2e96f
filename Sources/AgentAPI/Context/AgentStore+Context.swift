import AgentStore

extension AgentStore {
    /// Runs `body` in one transaction as the request's tenant, tagged with the request id for the audit log.
    /// A personal token not checked yet is checked in the same transaction, scopes included, by its first
    /// statement.
    func withTenant<Result: Sendable>(
        of context: APIRequestContext, _ body: (TenantSession) async throws -> Result
    ) async throws -> Result {
        let (claim, check) = try context.tenantClaim()
        let result = try await withTenant(as: claim, requestID: context.requestID, body)
        check?.pass()
        return result
    }
}

extension APIRequestContext {
    /// Whom the request's statements run for, and the check to mark once one of them found its personal
    /// token valid (nil when the credential was checked before the handler).
    func tenantClaim() throws -> (claim: TenantClaim, check: TokenCheck?) {
        switch credential {
        case .user(let userID, _): (.tenant(userID), nil)
        case .token(let token, let required, let check): (.token(token, requiring: required), check)
        case nil: throw Problem.unauthorized()
        }
    }
}
