import AgentReplies
import AgentStore

extension AgentStore {
    /// Starts a provider call in one transaction as the request's tenant: `begin` stores what it stores
    /// and reserves the call's tokens, the agent must have a connection that can answer (else a 422 and
    /// nothing is kept), and the first key is opened in the same transaction, audited with `purpose`.
    func startProviderCall<Start: ProviderCallStart>(
        of context: APIRequestContext, replies: ReplyGenerator, purpose: KeyPurpose,
        _ begin: (TenantSession) async throws -> Start
    ) async throws -> (start: Start, firstKey: OpenedKey?) {
        try await withTenant(of: context) { session in
            let start = try await begin(session)
            try ReplyController.requireChatConnection(start.connections)
            let key = await replies.openFirstKey(of: start.connections, in: session, purpose: purpose, messageID: start.replyID)
            return (start, key)
        }
    }
}
