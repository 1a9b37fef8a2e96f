extension AgentStore {
    /// Starts a chat completion in one statement outside a transaction block (migration 13): the token's
    /// check (or the tenant `claim` names), the agent with its links, the limits, the ledger entry and the
    /// first key, in one round trip where a transaction took five.
    ///
    /// Throws as `TenantSession.beginCompletion` does, and `StoreError.unauthenticated` or
    /// `StoreError.forbidden` for a token refused; nothing is entered then.
    public func beginCompletion(
        as claim: TenantClaim, _ new: NewCompletion, limits: ChatLimits, budget: ContextBudget, opening: KeyOpening?,
        requestID: String?
    ) async throws -> CompletionStart {
        let keyring = self.keyring
        let statement = TenantSession.completionStart(
            claim, new, limits: limits, budget: budget, opening: opening, keyring: keyring, requestID: requestID)
        let start = try await alone(prepared: statement) {
            try TenantSession.completionStart(from: $0, claim, new, opening: opening, keyring: keyring)
        }
        return try start.unwrapped(or: .notFound(resource: "user"))
    }
}
