import PostgresNIO

extension TenantSession {
    // MARK: Retried requests

    /// As ``beginReply(agentID:conversationID:_:limits:budget:opening:)``, for a request that carries an
    /// idempotency key: a retry of a request whose answer the client never saw finds the exchange that
    /// request started, so the user's message is stored once however often it is sent.
    ///
    /// - The first request with `key` stores the message (keeping the key) and starts its reply.
    /// - A later one finds that message and its latest reply. A reply that failed, or that the platform's
    ///   shutdown stopped, is tried again: a new reply to the same message, as a regeneration is, since a
    ///   retry is what either asked for (``Message/isAnsweredAgainOnRetry``). Any other (complete, cancelled
    ///   by a client, or still streaming) is the answer, returned as ``ReplyBeginning/earlier(prompt:reply:)``.
    /// - A key sent with another agent, conversation, message or parent is refused (422): it names another
    ///   request.
    ///
    /// Two requests with the same key at once take turns: the second waits for the first to commit, then
    /// finds what it stored.
    public func beginReply(
        agentID: AgentID, conversationID: ConversationID, _ new: NewReply, key: IdempotencyKey, limits: ChatLimits,
        budget: ContextBudget, opening: KeyOpening? = nil
    ) async throws -> ReplyBeginning {
        try Field.text(new.content, .content, length: 1...Message.maximumContentLength)
        let subject = try await callSubject(agentID)
        let prompt: Message
        let storedNow: Bool
        if let earlier = try await keyedPrompt(key, agentID: agentID, conversationID: conversationID, new) {
            (prompt, storedNow) = (earlier, false)
        } else if let stored = try await storePrompt(agentID: agentID, conversationID: conversationID, new, key: key) {
            (prompt, storedNow) = (stored, true)
        } else {
            // Another request with the key stored its message first and has committed: read it.
            prompt = try await keyedPrompt(key, agentID: agentID, conversationID: conversationID, new)
                .unwrapped(or: .conflict(field: .idempotencyKey, reason: "is in use by another request"))
            storedNow = false
        }
        if !storedNow, let reply = try await latestReply(to: prompt.id), !reply.isAnsweredAgainOnRetry {
            return .earlier(prompt: prompt, reply: reply)
        }
        return .started(
            try await startReply(
                subject, answering: prompt, sending: new.sentTokens, maximumTokens: new.maximumTokens, limits: limits,
                budget: budget, opening: opening))
    }

    /// The user's message stored with `key`, locked until this transaction ends (so that two retries do
    /// not both start a new reply to it); nil when there is none. One stored by another request than the
    /// one `new` describes is refused.
    private func keyedPrompt(
        _ key: IdempotencyKey, agentID: AgentID, conversationID: ConversationID, _ new: NewReply
    ) async throws -> Message? {
        // Found by its key, then locked by its id: `FOR UPDATE` adds the update policy's conditions to the
        // select's, and with both the planner chose a scan of all the tenant's messages over the key's
        // unique index (26 ms at 51,000 messages, where this takes 0.1 ms).
        let prompt = try await row(
            """
            SELECT \(unescaped: Self.messageColumns()) FROM agent_messages
             WHERE id = (SELECT id FROM agent_messages WHERE owner_id = \(userID.rawValue) AND idempotency_key = \(key.rawValue))
               AND owner_id = \(userID.rawValue)
            FOR UPDATE
            """, Self.message)
        guard let prompt else { return nil }
        guard
            prompt.agentID == agentID, prompt.conversationID == conversationID, prompt.content == new.content,
            new.parentID == nil || new.parentID == prompt.parentID
        else {
            throw StoreError.invalid(
                field: .idempotencyKey, reason: "was sent with another request: a new request needs a new key")
        }
        return prompt
    }

    /// The newest reply to `promptID`, if any.
    private func latestReply(to promptID: MessageID) async throws -> Message? {
        try await row(
            """
            SELECT \(unescaped: Self.messageColumns()) FROM agent_messages
             WHERE parent_id = \(promptID.rawValue) AND owner_id = \(userID.rawValue) AND role = 'assistant'
             ORDER BY created_at DESC, id DESC
             LIMIT 1
            """, Self.message)
    }
}
