import Foundation
import PostgresNIO

extension TenantSession {
    // MARK: Starting a reply

    /// Stores the user's message and a `streaming` reply to it, reads what the provider call needs, and
    /// enters the call in the ledger with its tokens reserved, after checking the tenant's limits: all in
    /// this one transaction, so a refused call leaves nothing behind.
    ///
    /// An unknown conversation id starts that conversation, as appending a message does.
    public func beginReply(
        agentID: AgentID, conversationID: ConversationID, _ new: NewReply, limits: ChatLimits, budget: ContextBudget
    ) async throws -> ReplyStart {
        try Field.text(new.content, .content, length: 1...1_000_000)
        let subject = try await callSubject(agentID)
        if let parentID = new.parentID {
            let inConversation = try await row(
                """
                SELECT EXISTS (SELECT 1 FROM agent_messages WHERE id = \(parentID.rawValue) AND agent_id = \(agentID.rawValue)
                                 AND conversation_id = \(conversationID.rawValue) AND owner_id = \(userID.rawValue))
                """
            ) { try $0.decode(Bool.self) }
            guard inConversation == true else {
                throw StoreError.invalid(field: .parentID, reason: "names no message of this conversation")
            }
        }
        let prompt = try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, parent_id)
            VALUES (\(agentID.rawValue), \(conversationID.rawValue), \(userID.rawValue), \(userID.rawValue), 'user',
                    \(new.content),
                    coalesce(\(new.parentID?.rawValue), (SELECT last_message_id FROM agent_conversations
                                          WHERE agent_id = \(agentID.rawValue) AND conversation_id = \(conversationID.rawValue))))
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message
        ).unwrapped(or: .notFound(resource: "agent"))
        try await nameConversation(agentID: agentID, conversationID: conversationID, after: new.content)
        return try await startReply(subject, answering: prompt, limits: limits, budget: budget)
    }

    /// Starts a new reply to the message an earlier reply answered: a sibling of `messageID`, which stays.
    public func beginRegeneration(of messageID: MessageID, limits: ChatLimits, budget: ContextBudget) async throws -> ReplyStart {
        let earlier = try await message(messageID)
        guard earlier.role == .assistant, let parentID = earlier.parentID else {
            throw StoreError.invalid(field: .messageID, reason: "is not a reply to a message")
        }
        let subject = try await callSubject(earlier.agentID)
        let prompt = try await message(parentID)
        return try await startReply(subject, answering: prompt, limits: limits, budget: budget)
    }

    /// Starts a provider call whose conversation the client sends (the OpenAI-compatible endpoint): checks
    /// the limits and enters the call in the ledger, storing nothing else.
    public func beginCompletion(
        agentID: AgentID, promptTokens: Int, maximumTokens requested: Int?, limits: ChatLimits, budget: ContextBudget
    ) async throws -> CompletionStart {
        let subject = try await callSubject(agentID)
        let agent = subject.agent
        let bound = agent.maxTokens ?? budget.defaultMaximumTokens
        let maximumTokens = min(requested ?? bound, bound)
        let call = try await startCall(
            agentID: agentID, replyID: nil, model: agent.model, attempt: 1, reserving: promptTokens + maximumTokens,
            limits: limits.overridden(by: subject.overrides))
        return CompletionStart(agent: agent, connections: subject.connections, maximumTokens: maximumTokens, call: call)
    }

    private func startReply(
        _ subject: CallSubject, answering prompt: Message, limits: ChatLimits, budget: ContextBudget
    ) async throws -> ReplyStart {
        let agent = subject.agent
        let maximumTokens = agent.maxTokens ?? budget.defaultMaximumTokens
        let history = try await history(endingAt: prompt.id, agent: agent, budget: budget)
        let promptTokens =
            ContextBudget.estimatedTokens(agent.systemPrompt)
            + history.reduce(0) { $0 + ContextBudget.estimatedTokens($1.content) }
        let reply = try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, parent_id, status, model)
            VALUES (\(agent.id.rawValue), \(prompt.conversationID.rawValue), \(userID.rawValue), \(userID.rawValue),
                    'assistant', '', \(prompt.id.rawValue), 'streaming', \(agent.model))
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message
        ).unwrapped(or: .notFound(resource: "agent"))
        let call = try await startCall(
            agentID: agent.id, replyID: reply.id, model: agent.model, attempt: 1, reserving: promptTokens + maximumTokens,
            limits: limits.overridden(by: subject.overrides))
        return ReplyStart(
            agent: agent, prompt: prompt, reply: reply, history: history, connections: subject.connections,
            maximumTokens: maximumTokens, call: call)
    }

    // MARK: Calls

    /// Settles a call that failed before its first token and enters the next attempt, which takes over
    /// its reservation; the limits were checked when the reply started.
    public func retryCall(_ failed: ProviderCallID, _ settlement: CallSettlement) async throws -> ProviderCallID {
        let next = try await row(
            """
            WITH settled AS (
              UPDATE provider_calls SET status = \(settlement.status.rawValue), connection_id = \(settlement.connectionID?.rawValue),
                     latency_ms = \(settlement.latencyMilliseconds), error = \(settlement.error), reserved_tokens = 0,
                     finished_at = clock_timestamp()
               WHERE id = \(failed.rawValue) AND user_id = \(userID.rawValue)
              RETURNING agent_id, message_id, model, attempt, reserved_tokens
            )
            INSERT INTO provider_calls (user_id, agent_id, message_id, model, attempt, reserved_tokens)
            SELECT \(userID.rawValue), s.agent_id, s.message_id, s.model, s.attempt + 1,
                   (SELECT reserved_tokens FROM provider_calls WHERE id = \(failed.rawValue) AND user_id = \(userID.rawValue))
              FROM settled s
            RETURNING id
            """
        ) { try $0.decode(String.self) }
        return ProviderCallID(rawValue: try next.unwrapped(or: .notFound(resource: "provider call")))
    }

    /// Records how a call without a stored reply ended.
    public func settleCall(_ call: ProviderCallID, _ settlement: CallSettlement) async throws {
        try await execute(
            """
            UPDATE provider_calls
               SET status = \(settlement.status.rawValue), connection_id = \(settlement.connectionID?.rawValue),
                   prompt_tokens = \(settlement.usage.promptTokens), completion_tokens = \(settlement.usage.completionTokens),
                   usage_estimated = \(settlement.usage.estimated), reserved_tokens = 0,
                   latency_ms = \(settlement.latencyMilliseconds), time_to_first_token_ms = \(settlement.timeToFirstTokenMilliseconds),
                   error = \(settlement.error), finished_at = clock_timestamp()
             WHERE id = \(call.rawValue) AND user_id = \(userID.rawValue)
            """)
    }

    /// Stores how a reply ended, in its message and in the ledger row of its last call.
    public func settleReply(_ replyID: MessageID, call: ProviderCallID, _ settlement: ReplySettlement) async throws -> Message {
        try await settleCall(call, settlement.call)
        let usage = settlement.call.usage
        return try await row(
            """
            UPDATE agent_messages
               SET content = \(settlement.content), status = \(settlement.call.status.rawValue),
                   connection_id = \(settlement.call.connectionID?.rawValue), prompt_tokens = \(usage.promptTokens),
                   completion_tokens = \(usage.completionTokens), usage_estimated = \(usage.estimated),
                   latency_ms = \(settlement.call.latencyMilliseconds),
                   time_to_first_token_ms = \(settlement.call.timeToFirstTokenMilliseconds),
                   finish_reason = \(settlement.finishReason), error = \(settlement.call.error)
             WHERE id = \(replyID.rawValue) AND owner_id = \(userID.rawValue) AND user_id = \(userID.rawValue)
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message
        ).unwrapped(or: .notFound(resource: "message"))
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
    /// back along each message's parent (or, for messages stored before parents were, the one before it).
    /// Replies that failed or are still streaming are left out; the message itself is always kept.
    func history(endingAt messageID: MessageID, agent: Agent, budget: ContextBudget) async throws -> [Message] {
        let chain = try await rows(
            """
            WITH RECURSIVE chain (id, depth) AS (
              SELECT \(messageID.rawValue)::text, 1
              UNION ALL
              SELECT coalesce(m.parent_id,
                       (SELECT p.id FROM agent_messages p
                         WHERE p.agent_id = m.agent_id AND p.conversation_id = m.conversation_id
                           AND (p.created_at, p.id) < (m.created_at, m.id)
                         ORDER BY p.created_at DESC, p.id DESC LIMIT 1)),
                     c.depth + 1
                FROM chain c JOIN agent_messages m ON m.id = c.id AND m.owner_id = \(userID.rawValue)
               WHERE c.depth < \(budget.maximumMessages)
            )
            SELECT \(unescaped: Self.messageColumns("m"))
              FROM chain c JOIN agent_messages m ON m.id = c.id AND m.owner_id = \(userID.rawValue)
             ORDER BY c.depth
            """, Self.message)
        var remaining = budget.promptTokens - ContextBudget.estimatedTokens(agent.systemPrompt)
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

    /// Serializes the tenant's call starts until the transaction ends, so that two concurrent starts
    /// cannot both see the same unspent budget.
    private func lockChatLimits() async throws {
        try await execute("SELECT pg_advisory_xact_lock(hashtextextended('chat-limits:' || \(userID.rawValue), 0))")
    }

    /// Checks `effective` (the platform's defaults under the tenant's overrides, read with the agent by
    /// `callSubject`) and enters a running call that reserves `requested` tokens. A tenant without limits
    /// pays for no lock and no sums.
    ///
    /// The reservation is held to what the ledger's `integer` column holds: an agent's `max_tokens` may be as
    /// large as that itself, and with the prompt's tokens added the insert was refused (a 422 naming no field).
    /// A call cannot spend more than that many tokens anyway.
    private func startCall(
        agentID: AgentID, replyID: MessageID?, model: String, attempt: Int, reserving requested: Int, limits effective: ChatLimits
    ) async throws -> ProviderCallID {
        let tokens = min(requested, Int(Int32.max))
        if effective.monthlyTokenBudget != nil || effective.requestsPerMinute != nil {
            try await lockChatLimits()
            try await checkLimits(effective, reserving: tokens, attempt: attempt)
        }
        let id = try await row(
            """
            INSERT INTO provider_calls (user_id, agent_id, message_id, model, attempt, reserved_tokens)
            VALUES (\(userID.rawValue), \(agentID.rawValue), \(replyID?.rawValue), \(model), \(attempt), \(tokens))
            RETURNING id
            """
        ) { try $0.decode(String.self) }
        return ProviderCallID(rawValue: try id.unwrapped(or: .notFound(resource: "user")))
    }

    /// Refuses a call that would break `limits`: this month's tokens (spent, and reserved by calls still
    /// running) plus `tokens`, or this minute's first attempts. Call with the limits lock held.
    private func checkLimits(_ limits: ChatLimits, reserving tokens: Int, attempt: Int) async throws {
        let standing = try await row(
            """
            SELECT (SELECT coalesce(sum(prompt_tokens + completion_tokens + reserved_tokens), 0)::bigint FROM provider_calls
                     WHERE user_id = \(userID.rawValue) AND started_at >= \(unescaped: Self.startOfMonth)),
                   (SELECT count(*) FROM provider_calls
                     WHERE user_id = \(userID.rawValue) AND attempt = 1 AND started_at > clock_timestamp() - interval '1 minute'),
                   (SELECT ceil(extract(epoch FROM min(started_at) + interval '1 minute' - clock_timestamp()))::bigint
                      FROM provider_calls
                     WHERE user_id = \(userID.rawValue) AND attempt = 1 AND started_at > clock_timestamp() - interval '1 minute'),
                   ceil(extract(epoch FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')
                                          - (now() AT TIME ZONE 'UTC')))::bigint
            """
        ) { try $0.decode((Int, Int, Int?, Int).self) }
        let (spent, recent, rateRetry, monthRetry) = try standing.unwrapped(or: .notFound(resource: "user"))
        if let perMinute = limits.requestsPerMinute, attempt == 1, recent >= perMinute {
            throw StoreError.limitExceeded(LimitExceeded(limit: .requestsPerMinute, retryAfterSeconds: max(1, rateRetry ?? 60)))
        }
        if let monthly = limits.monthlyTokenBudget, spent + tokens > monthly {
            throw StoreError.limitExceeded(LimitExceeded(limit: .monthlyTokenBudget, retryAfterSeconds: max(1, monthRetry)))
        }
    }
}
extension Optional {
    /// The value, or `error` thrown: a row that was not returned is a resource that is not there.
    func unwrapped(or error: StoreError) throws(StoreError) -> Wrapped {
        guard let self else { throw error }
        return self
    }
}
