import PostgresNIO

extension TenantSession {
    /// The tenant's conversations with all of its agents, most recently active first, each with its agent's
    /// name, its latest message and its size: a console's list of recent chats. One range of an index
    /// (migration 28), whatever the number of agents; a page ends early once the latest messages it carries
    /// pass ``Message/pageContentBytes``, as the agent's listing does.
    ///
    /// `cursor` is the last conversation of the page before; one that no longer exists is refused, as
    /// the other listings refuse a cursor that names nothing.
    public func recentConversations(limit: Int, after cursor: ConversationCursor?) async throws -> Page<RecentConversation> {
        try PageRequest(limit: limit, order: .descending).validate()
        // The keyset's cursor only says that there is one (its token, which a page request's id check would
        // refuse as too long): the bound below is the conversation the cursor names.
        let keyset = Keyset(request: PageRequest(limit: limit, cursor: cursor.map { .after($0.token) }, order: .descending))
        let (time, id) = ("sort_time", "sort_id")
        var sql = SQLStatement(
            Self.contentBoundHead(order: "DESC", time: time, id: id, bytes: "coalesce(octet_length(m.last_content), 0)")
                + """
                SELECT \(Self.conversationColumns), \(Self.messageColumns("m")), a.name AS agent_name,
                       m.content AS last_content, c.last_message_at AS \(time), ROW(c.agent_id, c.conversation_id) AS \(id)
                  FROM agent_conversations c
                  JOIN agents a ON a.id = c.agent_id
                  LEFT JOIN agent_messages m ON m.id = c.last_message_id
                 WHERE c.owner_id =
                """)
        let tenant = sql.bind(userID.rawValue)
        sql.append(" \(tenant)")
        if let cursor {
            let (agent, conversation) = (sql.bind(cursor.agentID.rawValue), sql.bind(cursor.conversationID.rawValue))
            sql.append(
                """
                 AND (c.last_message_at, c.agent_id, c.conversation_id) < (
                   SELECT last_message_at, agent_id, conversation_id FROM agent_conversations
                    WHERE agent_id = \(agent) AND conversation_id = \(conversation) AND owner_id = \(tenant))
                """)
        }
        sql.append(
            " ORDER BY c.last_message_at DESC, c.agent_id DESC, c.conversation_id DESC LIMIT \(sql.bind(limit + 1))"
                + Self.contentBoundTail(order: "DESC", bound: sql.bind(Message.pageContentBytes), time: time, id: id))
        let cursorExists: PostgresQuery = """
            SELECT EXISTS (SELECT 1 FROM agent_conversations
                            WHERE agent_id = \(cursor?.agentID.rawValue) AND conversation_id = \(cursor?.conversationID.rawValue)
                              AND owner_id = \(userID.rawValue))
            """
        return try await page(
            sql, keyset: keyset, cursorExists: cursorExists, cutShortBy: "fetched",
            unknownCursor: .invalid(field: .conversationCursor, reason: "names no conversation of yours")
        ) { row in
            RecentConversation(
                conversation: try Self.conversation(from: row),
                agentName: try row.makeRandomAccess()["agent_name"].decode(String.self))
        }
    }
}
