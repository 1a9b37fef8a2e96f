import Foundation
import PostgresNIO

extension TenantSession {
    static let messageColumns = "id, agent_id, conversation_id, user_id, role, content, metadata::text, created_at"

    static func message(from row: PostgresRow) throws -> Message {
        try message(row.decode((String, String, String, String, String, String, String?, Date).self))
    }

    /// A message from the columns of `messageColumns`, in order.
    static func message(_ columns: (String, String, String, String, String, String, String?, Date)) throws -> Message {
        let (id, agentID, conversationID, userID, role, content, metadata, createdAt) = columns
        return Message(
            id: MessageID(stored: id), agentID: AgentID(stored: agentID), conversationID: ConversationID(stored: conversationID),
            userID: UserID(stored: userID),
            role: Message.Role(rawValue: role) ?? .user, content: content,
            metadata: try metadata.map(JSONValue.init(storedText:)), createdAt: createdAt)
    }

    // MARK: Operations

    /// Appends a message, authored by the tenant, to a conversation of the tenant's agent.
    public func appendMessage(agentID: AgentID, conversationID: ConversationID, _ new: NewMessage) async throws -> Message {
        try new.validate()
        let metadata = try new.metadata?.storedText(field: .metadata)
        // The composite foreign key refuses an agent of another tenant; it reads as not found.
        return try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, metadata)
            VALUES (\(agentID), \(conversationID), \(userID.rawValue), \(userID.rawValue), \(new.role.rawValue),
                    \(new.content), \(metadata)::jsonb)
            RETURNING \(unescaped: Self.messageColumns)
            """, Self.message
        ) ?? { throw StoreError.notFound(resource: "agent") }()
    }

    /// One page of a conversation, oldest first by default. An agent that is not the tenant's is not found;
    /// a conversation without messages is an empty page.
    public func messages(agentID: AgentID, conversationID: ConversationID, _ request: PageRequest) async throws -> Page<Message> {
        try request.validate()
        let keyset = Keyset(request: request)
        let decode: (PostgresRow) throws -> (Message?, Bool) = { row in
            let (id, agentID, conversationID, author, role, content, metadata, createdAt, cursorFound) = try row.decode(
                (String?, String?, String?, String?, String?, String?, String?, Date?, Bool).self)
            // No message columns: the agent exists, the page is empty.
            guard let id, let agentID, let conversationID, let author, let role, let content, let createdAt else {
                return (nil, cursorFound)
            }
            return (try Self.message((id, agentID, conversationID, author, role, content, metadata, createdAt)), cursorFound)
        }
        let rows: [(Message?, Bool)]
        if request.cursor == nil, request.order == .ascending {
            rows = try await self.rows(
                prepared: PreparedPages.Conversation(
                    agent: agentID.rawValue, tenant: userID.rawValue, conversation: conversationID.rawValue,
                    limit: request.limit + 1),
                decode)
        } else {
            rows = try await self.rows(pageQuery(agentID: agentID, conversationID: conversationID, keyset: keyset).query, decode)
        }
        guard let first = rows.first else { throw StoreError.notFound(resource: "agent") }
        guard first.1 else {
            throw StoreError.invalid(
                field: keyset.readsBackwards ? .cursorBefore : .cursorAfter, reason: "names no message of this conversation")
        }
        return keyset.page(from: rows.compactMap(\.0))
    }

    /// A page of a conversation read in one round trip: the agent row proves ownership, the lateral join
    /// reads the page, and the last column says whether the cursor names a message of this conversation.
    private func pageQuery(agentID: AgentID, conversationID: ConversationID, keyset: Keyset) -> SQLStatement {
        var sql = SQLStatement(
            "SELECT m.id, m.agent_id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::text, m.created_at")
        let agent = sql.bind(agentID)
        let tenant = sql.bind(userID.rawValue)
        let conversation = sql.bind(conversationID)
        sql.append(
            keyset.cursorID == nil
                ? ", true"
                : ", EXISTS (SELECT 1 FROM agent_messages c WHERE c.id = \(sql.bind(keyset.cursorID ?? "")) AND c.agent_id = \(agent) AND c.conversation_id = \(conversation))"
        )
        sql.append(
            """
             FROM agents a LEFT JOIN LATERAL (
              SELECT * FROM agent_messages m
               WHERE m.conversation_id = \(conversation) AND m.agent_id = a.id AND m.owner_id = \(tenant)
            """)
        keyset.appendBound(to: &sql, time: "m.created_at", id: "m.id") {
            "SELECT created_at, id FROM agent_messages WHERE id = \($0) AND agent_id = \(agent)"
        }
        keyset.appendOrder(to: &sql, time: "m.created_at", id: "m.id")
        sql.append(") m ON true WHERE a.id = \(agent) AND a.user_id = \(tenant)")
        return sql
    }

    /// The agent's conversations, most recently active first by default, each with its latest message and
    /// size, read from the per-conversation summary (its cost does not grow with the agent's messages).
    public func conversations(agentID: AgentID, _ request: PageRequest) async throws -> Page<Conversation> {
        try request.validate()
        _ = try await agent(agentID)
        let keyset = Keyset(request: request)
        var sql = SQLStatement(
            """
            SELECT c.conversation_id, c.message_count, c.first_message_at, c.last_message_at,
                   m.id, m.agent_id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::text, m.created_at
              FROM agent_conversations c JOIN agent_messages m ON m.id = c.last_message_id
             WHERE c.agent_id =
            """)
        let agent = sql.bind(agentID)
        let tenant = sql.bind(userID.rawValue)
        sql.append(" \(agent) AND c.owner_id = \(tenant)")
        keyset.appendBound(to: &sql, time: "c.last_message_at", id: "c.conversation_id") {
            "SELECT last_message_at, conversation_id FROM agent_conversations WHERE agent_id = \(agent) AND conversation_id = \($0)"
        }
        keyset.appendOrder(to: &sql, time: "c.last_message_at", id: "c.conversation_id")
        let cursorExists: PostgresQuery = """
            SELECT EXISTS (SELECT 1 FROM agent_conversations WHERE agent_id = \(agentID) AND conversation_id = \(keyset.cursorID))
            """
        return try await page(sql, keyset: keyset, cursorExists: cursorExists) { row in
            let (
                id, count, first, last, messageID, messageAgentID, messageConversationID, author, role, content, metadata,
                createdAt
            ) =
                try row.decode((String, Int, Date, Date, String, String, String, String, String, String, String?, Date).self)
            return Conversation(
                id: ConversationID(stored: id), agentID: agentID, messageCount: count, firstMessageAt: first, lastMessageAt: last,
                lastMessage: try Self.message(
                    (messageID, messageAgentID, messageConversationID, author, role, content, metadata, createdAt)))
        }
    }

    /// Deletes every message of a conversation, with their feedback.
    public func deleteConversation(agentID: AgentID, conversationID: ConversationID) async throws {
        _ = try await agent(agentID)
        let deleted = try await affectedRows(
            """
            DELETE FROM agent_messages
             WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) AND owner_id = \(userID.rawValue)
            RETURNING id
            """)
        guard deleted > 0 else { throw StoreError.notFound(resource: "conversation") }
    }
}
