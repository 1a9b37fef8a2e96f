import AgentStore

extension AgentStore {
    /// Starts a provider call in one transaction as the request's tenant: `begin` stores what it stores,
    /// reserves the call's tokens and opens the first key (audited with its purpose), and the agent must have
    /// a connection that can answer, else a 422 and nothing is kept.
    func startProviderCall<Start: ProviderCallStart>(
        of context: APIRequestContext, _ begin: (TenantSession) async throws -> Start
    ) async throws -> Start {
        try await withTenant(of: context) { session in
            let start = try await begin(session)
            try ReplyController.requireChatConnection(start.connections)
            return start
        }
    }
}
