import Foundation
import PostgresNIO

extension TenantSession {
    // MARK: Starting a reply

    /// Stores the user's message and a `streaming` reply to it, reads what the provider call needs, and
    /// enters the call in the ledger with its tokens reserved, after checking the tenant's limits: all in
    /// this one transaction, so a refused call leaves nothing behind.
    ///
    /// An unknown conversation id starts that conversation, as appending a message does. With `opening`, the
    /// first call's key is opened too (see `KeyOpening`).
    public func beginReply(
        agentID: AgentID, conversationID: ConversationID, _ new: NewReply, limits: ChatLimits, budget: ContextBudget,
        opening: KeyOpening? = nil
    ) async throws -> ReplyStart {
        try Field.text(new.content, .content, length: 1...Message.maximumContentLength)
        let subject = try await callSubject(agentID)
        let prompt = try await storePrompt(agentID: agentID, conversationID: conversationID, new, key: nil)
            .unwrapped(or: .notFound(resource: "agent"))
        return try await startReply(
            subject, answering: prompt, sending: new.sentTokens, maximumTokens: new.maximumTokens, limits: limits,
            budget: budget, opening: opening)
    }

    /// Stores the user's message of a reply (keeping `key`, when there is one) and names a new
    /// conversation after it; nil when a request with the same key stored its message first.
    func storePrompt(
        agentID: AgentID, conversationID: ConversationID, _ new: NewReply, key: IdempotencyKey?
    ) async throws -> Message? {
        // The parent is locked as it is read, as the default parent below (the summary's last message): a
        // delete of the conversation under way is waited for, and then the parent is gone (a 422) or the
        // reply starts the conversation anew, rather than name a parent the delete removes and fail on it.
        if new.startsAnew, new.parentID != nil {
            throw StoreError.invalid(field: .parentID, reason: "cannot be given for a message that starts the conversation anew")
        }
        if new.parentMustBeLast, new.parentID == nil {
            throw StoreError.invalid(field: .parentMustBeLast, reason: "needs a parent_id, the message that must still be last")
        }
        if let parentID = new.parentID {
            // Where the parent must still be last, its row is locked against another such message (see
            // `requireLast`) by the same read.
            let lock = new.parentMustBeLast ? "FOR NO KEY UPDATE" : "FOR KEY SHARE"
            let inConversation = try await row(
                """
                SELECT EXISTS (SELECT 1 FROM agent_messages WHERE id = \(parentID.rawValue) AND agent_id = \(agentID.rawValue)
                                 AND conversation_id = \(conversationID.rawValue) AND owner_id = \(userID.rawValue)
                               \(unescaped: lock))
                """
            ) { try $0.decode(Bool.self) }
            guard inConversation == true else {
                throw StoreError.invalid(field: .parentID, reason: "names no message of this conversation")
            }
            if new.parentMustBeLast { try await requireLast(parentID, key: key) }
        }
        // A request with the same key that stored its message meanwhile is waited for; then this stores
        // nothing, and the caller reads what it stored.
        let prompt = try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, parent_id, root, idempotency_key)
            VALUES (\(agentID.rawValue), \(conversationID.rawValue), \(userID.rawValue), \(userID.rawValue), 'user',
                    \(new.content),
                    CASE WHEN NOT \(new.startsAnew) THEN
                      coalesce(\(new.parentID?.rawValue), (SELECT last_message_id FROM agent_conversations
                                            WHERE agent_id = \(agentID.rawValue) AND conversation_id = \(conversationID.rawValue)
                                            FOR KEY SHARE))
                    END,
                    \(new.startsAnew), \(key?.rawValue))
            ON CONFLICT (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message)
        guard let prompt else { return nil }
        try await nameConversation(agentID: agentID, conversationID: conversationID, after: new.content)
        return prompt
    }

    /// Refuses to follow `parentID` once another message follows it, but for this request's own earlier
    /// attempt (`key`), which the insert then answers with. The caller has locked the parent's row
    /// (`FOR NO KEY UPDATE`), so that two tabs sending after the same message at once are taken one after
    /// the other, and the second (whose check is a statement of its own, reading what the first committed)
    /// is refused.
    private func requireLast(_ parentID: MessageID, key: IdempotencyKey?) async throws {
        let followed = try await row(
            """
            SELECT EXISTS (SELECT 1 FROM agent_messages WHERE parent_id = \(parentID.rawValue)
                             AND (\(key?.rawValue)::text IS NULL OR idempotency_key IS DISTINCT FROM \(key?.rawValue)))
            """
        ) { try $0.decode(Bool.self) }
        if followed == true {
            throw StoreError.conflict(
                field: .parentID, reason: "is no longer the last message: the conversation has newer messages")
        }
    }

    /// Starts a new reply to the message an earlier reply answered: a sibling of `messageID`, which stays.
    public func beginRegeneration(
        of messageID: MessageID, limits: ChatLimits, budget: ContextBudget, opening: KeyOpening? = nil
    ) async throws -> ReplyStart {
        let earlier = try await message(messageID)
        guard earlier.role == .assistant, let parentID = earlier.parentID else {
            throw StoreError.invalid(field: .messageID, reason: "is not a reply to a message")
        }
        let subject = try await callSubject(earlier.agentID)
        let prompt = try await message(parentID)
        return try await startReply(subject, answering: prompt, limits: limits, budget: budget, opening: opening)
    }

    /// Stores the `streaming` reply and starts its call. The call reserves its prompt and `max_tokens`: the
    /// stored conversation read back, or the conversation the client sends (`sentTokens`, then nothing is
    /// read back).
    func startReply(
        _ subject: CallSubject, answering prompt: Message, sending sentTokens: Int? = nil, maximumTokens requested: Int? = nil,
        limits: ChatLimits, budget: ContextBudget, opening: KeyOpening?
    ) async throws -> ReplyStart {
        let agent = subject.agent
        let maximumTokens = min(agent.maxTokens ?? budget.defaultMaximumTokens, requested ?? .max)
        let history = sentTokens == nil ? try await history(endingAt: prompt.id, agent: agent, budget: budget) : []
        let promptTokens =
            ContextBudget.estimatedTokens(agent.systemPrompt)
            + (sentTokens ?? history.reduce(0) { $0 + ContextBudget.estimatedTokens($1.content) })
        let reply = try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, parent_id, status, model)
            VALUES (\(agent.id.rawValue), \(prompt.conversationID.rawValue), \(userID.rawValue), \(userID.rawValue),
                    'assistant', '', \(prompt.id.rawValue), 'streaming', \(agent.model))
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message
        ).unwrapped(or: .notFound(resource: "agent"))
        let (call, key) = try await startCall(
            subject, replyID: reply.id, reserving: promptTokens + maximumTokens, limits: limits, opening: opening)
        return ReplyStart(
            agent: agent, prompt: prompt, reply: reply, history: history, connections: subject.connections,
            maximumTokens: maximumTokens, call: call, firstKey: key)
    }

    // MARK: Calls

    /// Settles a call that failed before its first token, with its usage (the prompt's estimate when the
    /// provider may have read it), and enters the next attempt as `next`, which takes over its reservation.
    ///
    /// Under the tenant's lock, as a start is, and only while the monthly budget of `limits` (under the
    /// tenant's overrides) has room for that reservation beside what the failed attempt was charged: else
    /// concurrent replies whose attempts time out after sending could each spend their prompt past the
    /// budget once per key. The per-minute limit counted the reply when it started. A refusal changes
    /// nothing: the failed attempt is left running, for the generation to settle.
    public func retryCall(
        _ failed: ProviderCallID, _ settlement: CallSettlement, as next: ProviderCallID, limits: ChatLimits = .unlimited
    ) async throws {
        try await execute("SELECT pg_advisory_xact_lock(hashtextextended('chat-limits:' || \(userID.rawValue), 0))")
        let usage = settlement.usage
        let settled = try await row(
            """
            WITH held AS (
              SELECT id, reserved_tokens FROM provider_calls
               WHERE id = \(failed.rawValue) AND user_id = \(userID.rawValue) AND status = 'running'
              FOR UPDATE
            )
            UPDATE provider_calls c
               SET status = \(settlement.status.rawValue), connection_id = \(settlement.connectionID?.rawValue),
                   latency_ms = \(settlement.latencyMilliseconds), error = \(settlement.error), reserved_tokens = 0,
                   prompt_tokens = \(usage.promptTokens), completion_tokens = \(usage.completionTokens),
                   usage_estimated = \(usage.estimated), finished_at = clock_timestamp()
              FROM held
             WHERE c.id = held.id
            RETURNING c.agent_id, c.message_id, c.model, c.attempt, held.reserved_tokens
            """
        ) { try $0.decode((String, String?, String, Int32, Int32).self) }
        let (agentID, messageID, model, attempt, reserved) = try settled.unwrapped(or: .notFound(resource: "provider call"))
        let month = try await monthlyStanding(defaults: limits)
        if let budget = month.limits.monthlyTokenBudget, month.settled + month.reserved + Int(reserved) > budget {
            throw StoreError.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: nil))
        }
        try await execute(
            """
            INSERT INTO provider_calls (id, user_id, agent_id, message_id, model, attempt, reserved_tokens)
            VALUES (\(next.rawValue), \(userID.rawValue), \(agentID), \(messageID), \(model), \(attempt + 1), \(reserved))
            """)
    }

    /// Records how a call ended, in this transaction (`AgentStore.settleCall` does it in a statement alone).
    public func settleCall(_ call: ProviderCallID, _ settlement: CallSettlement) async throws {
        _ = try await rows(prepared: Self.settlement(of: call, tenant: userID, settlement), setsTenant: true) { _ in () }
    }

    /// The statement that settles a call (migration 12): it sets the tenant itself, so it can run outside a
    /// transaction block, and refuses inside a transaction of another tenant.
    static func settlement(of call: ProviderCallID, tenant: UserID, _ settlement: CallSettlement) -> PreparedCalls.CallSettlement
    {
        let usage = settlement.usage
        return PreparedCalls.CallSettlement(
            tenant: tenant.rawValue, call: call.rawValue, status: settlement.status.rawValue,
            connection: settlement.connectionID?.rawValue, promptTokens: Int32(clamping: usage.promptTokens),
            completionTokens: Int32(clamping: usage.completionTokens), usageEstimated: usage.estimated,
            latencyMilliseconds: settlement.latencyMilliseconds.map { Int32(clamping: $0) },
            timeToFirstTokenMilliseconds: settlement.timeToFirstTokenMilliseconds.map { Int32(clamping: $0) },
            error: settlement.error)
    }

    /// Stores how a reply ended, in its message and in the ledger row of its last call, in this transaction
    /// (`AgentStore.settleReply` does it in a statement alone).
    public func settleReply(_ replyID: MessageID, call: ProviderCallID, _ settlement: ReplySettlement) async throws -> Message {
        try await row(Self.settlement(of: replyID, call: call, tenant: userID, settlement), Self.message)
            .unwrapped(or: .notFound(resource: "message"))
    }

    /// The statement that settles a reply and returns its message (migration 12); like `settlement(of:tenant:_:)`,
    /// it sets the tenant itself.
    static func settlement(
        of replyID: MessageID, call: ProviderCallID, tenant: UserID, _ settlement: ReplySettlement
    ) -> PostgresQuery {
        let ended = settlement.call
        let usage = ended.usage
        return """
            SELECT \(unescaped: messageColumns())
              FROM public.settle_reply(
                \(tenant.rawValue), \(replyID.rawValue), \(call.rawValue), \(ended.status.rawValue), \(ended.connectionID?.rawValue),
                \(Int32(clamping: usage.promptTokens)), \(Int32(clamping: usage.completionTokens)), \(usage.estimated),
                \(ended.latencyMilliseconds.map { Int32(clamping: $0) }),
                \(ended.timeToFirstTokenMilliseconds.map { Int32(clamping: $0) }), \(ended.error), \(settlement.content),
                \(settlement.finishReason))
            """
    }

    // MARK: Reading

    /// One message of the tenant's conversations.
    public func message(_ id: MessageID) async throws -> Message {
        try await row(
            "SELECT \(unescaped: Self.messageColumns()) FROM agent_messages WHERE id = \(id.rawValue) AND owner_id = \(userID.rawValue)",
            Self.message
        ).unwrapped(or: .notFound(resource: "message"))
    }

    /// The conversation up to `messageID`, oldest first: the newest messages that fit the budget, read
    /// back along its thread (``followedMessage(_:)``).
    /// Replies that failed or are still streaming are left out; the message itself is always kept.
    ///
    /// Only what can fit is read: past the budget's bytes (4 a token) the walk below keeps nothing more, so
    /// the statement stops there instead of bringing up to `maximumMessages` messages of a megabyte each.
    func history(endingAt messageID: MessageID, agent: Agent, budget: ContextBudget) async throws -> [Message] {
        let systemTokens = ContextBudget.estimatedTokens(agent.systemPrompt)
        let budgetBytes = max(0, budget.promptTokens - systemTokens) * 4
        let chain = try await rows(
            """
            WITH RECURSIVE chain (id, depth) AS (
              SELECT \(messageID.rawValue)::text, 1
              UNION ALL
              SELECT \(unescaped: Self.followedMessage("m")), c.depth + 1
                FROM chain c JOIN agent_messages m ON m.id = c.id AND m.owner_id = \(userID.rawValue)
               WHERE c.depth < \(budget.maximumMessages)
            )
            SELECT \(unescaped: Self.messageColumns("m"))
              FROM (
                SELECT m.*, pg_catalog.sum(m.counted) OVER (ORDER BY m.depth ROWS UNBOUNDED PRECEDING) - m.counted AS before
                  FROM (
                    SELECT m.*, c.depth,
                           CASE WHEN c.depth = 1 OR m.status IN ('complete', 'cancelled')
                                THEN octet_length(m.content) ELSE 0 END AS counted
                      FROM chain c JOIN agent_messages m ON m.id = c.id AND m.owner_id = \(userID.rawValue)
                  ) m
              ) m
             WHERE m.depth = 1 OR m.before <= \(budgetBytes)
             ORDER BY m.depth
            """, Self.message)
        var remaining = budget.promptTokens - systemTokens
        var kept: [Message] = []
        for message in chain where message.id == messageID || message.status == .complete || message.status == .cancelled {
            let cost = ContextBudget.estimatedTokens(message.content)
            guard message.id == messageID || cost <= remaining else { break }
            guard message.id == messageID || !(message.role == .assistant && message.content.isEmpty) else { continue }
            remaining -= cost
            kept.append(message)
        }
        return kept.reversed()
    }

    // MARK: Limits

    /// Enters the call in the ledger with `requested` tokens reserved, after checking the platform's `limits`
    /// under the tenant's overrides (read with the agent by `callSubject`), and reads the key `opening`
    /// picks: one statement (migration 12). A tenant without limits pays for no lock and no sums.
    ///
    /// The reservation is held to what the ledger's `integer` column holds: an agent's `max_tokens` may be as
    /// large as that itself, and with the prompt's tokens added the insert was refused (a 422 naming no field).
    /// A call cannot spend more than that many tokens anyway.
    private func startCall(
        _ subject: CallSubject, replyID: MessageID?, reserving requested: Int, limits: ChatLimits, opening: KeyOpening?
    ) async throws -> (call: ProviderCallID, key: OpenedKey?) {
        let effective = limits.overridden(by: subject.overrides)
        let keyConnection = keyring == nil ? nil : opening?.choose(subject.connections)
        let started = try await row(
            """
            SELECT call_id, refused_by, retry_after, sealed_key
              FROM public.start_provider_call(
                \(subject.agent.id.rawValue), \(replyID?.rawValue), \(subject.agent.model), \(Int32(1)),
                \(Int32(clamping: requested)), \(effective.monthlyTokenBudget),
                \(effective.requestsPerMinute.map { Int32(clamping: $0) }), \(keyConnection?.rawValue),
                \(opening?.purpose.rawValue), \(requestID))
            """
        ) { try $0.decode((String?, String?, Int?, String?).self) }
        let (callID, refusedBy, retryAfter, sealedKey) = try started.unwrapped(or: .notFound(resource: "user"))
        if let refusal = Self.refusal(by: refusedBy, retryAfter: retryAfter) { throw refusal }
        let call = ProviderCallID(rawValue: try callID.unwrapped(or: .notFound(resource: "user")))
        // A key that cannot be opened here is opened again by the generation, which records why it failed.
        guard let keyConnection, let sealedKey, let secret = try? openSealedKey(sealedKey, of: keyConnection) else {
            return (call, nil)
        }
        return (call, OpenedKey(connectionID: keyConnection, secret: secret))
    }
}

extension TenantSession {
    /// The error a start's refusal stands for (`start_provider_call` names the limit that refused, and how
    /// long until it allows the call: nil when no wait will), if any.
    static func refusal(by limit: String?, retryAfter: Int?) -> StoreError? {
        guard let limit else { return nil }
        return .limitExceeded(
            LimitExceeded(
                limit: limit == "requests_per_minute" ? .requestsPerMinute : .monthlyTokenBudget,
                retryAfterSeconds: retryAfter))
    }
}

extension Optional {
    /// The value, or `error` thrown: a row that was not returned is a resource that is not there.
    func unwrapped(or error: StoreError) throws(StoreError) -> Wrapped {
        guard let self else { throw error }
        return self
    }
}
