import PostgresNIO

extension TenantSession {
    /// The tenant's conversations with all of its agents, most recently active first, each with its agent's
    /// name, its latest message and its size: a console's list of recent chats. One range of an index
    /// (migration 28), whatever the number of agents; a page ends early once the latest messages it carries
    /// pass ``Message/pageContentBytes``, as the agent's listing does.
    ///
    /// `cursor` is the last conversation of the page before; one that no longer exists is refused, as
    /// the other listings refuse a cursor that names nothing.
    public func recentConversations(limit: Int, after cursor: ConversationCursor?) async throws -> (
        conversations: [RecentConversation], hasMore: Bool
    ) {
        try PageRequest(limit: limit, order: .descending).validate()
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
        let rows = try await rows(sql.query) { row in
            let columns = row.makeRandomAccess()
            let listed = RecentConversation(
                conversation: try Self.conversation(from: row), agentName: try columns["agent_name"].decode(String.self))
            return (listed, try columns["fetched"].decode(Int.self))
        }
        if rows.isEmpty, let cursor {
            let exists = try await row(
                """
                SELECT EXISTS (SELECT 1 FROM agent_conversations
                                WHERE agent_id = \(cursor.agentID) AND conversation_id = \(cursor.conversationID)
                                  AND owner_id = \(userID.rawValue))
                """, { try $0.decode(Bool.self) })
            if exists != true { throw StoreError.invalid(field: .conversationCursor, reason: "names no conversation of yours") }
        }
        let fetched = rows.first?.1 ?? 0
        return (rows.prefix(limit).map(\.0), rows.count > limit || rows.count < fetched)
    }
}
