import AgentReplies
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

    /// Begins a reply to a new message as the request's tenant, in one transaction: as `startProviderCall`
    /// does without a key; with one, an earlier request's exchange may be found instead, which needs no
    /// connection that can answer.
    func beginReply(
        of context: APIRequestContext, agentID: AgentID, conversationID: ConversationID, _ new: NewReply,
        key: IdempotencyKey?, settings: ReplySettings, opening: KeyOpening
    ) async throws -> ReplyBeginning {
        guard let key else {
            return .started(
                try await startProviderCall(of: context) {
                    try await $0.beginReply(
                        agentID: agentID, conversationID: conversationID, new, limits: settings.defaultLimits,
                        budget: settings.contextBudget, opening: opening)
                })
        }
        return try await withTenant(of: context) { session in
            let begun = try await session.beginReply(
                agentID: agentID, conversationID: conversationID, new, key: key, limits: settings.defaultLimits,
                budget: settings.contextBudget, opening: opening)
            if case .started(let start) = begun { try ReplyController.requireChatConnection(start.connections) }
            return begun
        }
    }

    /// Starts a chat completion without a conversation as the request's tenant, in one statement that also
    /// checks a personal token not checked yet (`AgentStore.beginCompletion(as:_:...)`).
    func startCompletion(
        of context: APIRequestContext, _ new: NewCompletion, limits: ChatLimits, budget: ContextBudget, opening: KeyOpening
    ) async throws -> CompletionStart {
        let (claim, check) = try context.tenantClaim()
        let start = try await beginCompletion(
            as: claim, new, limits: limits, budget: budget, opening: opening, requestID: context.requestID)
        check?.pass()
        return start
    }
}
