import Foundation
import PostgresNIO

extension TenantSession {
    // MARK: Messages

    /// Appends a message, authored by the tenant, to a conversation of the tenant's agent; it follows the
    /// conversation's latest message. An unknown conversation id starts that conversation (client-chosen
    /// ids, as in the original design), titled after its first message.
    public func appendMessage(agentID: AgentID, conversationID: ConversationID, _ new: NewMessage) async throws -> Message {
        try new.validate()
        let metadata = try new.metadata?.storedText(field: .metadata)
        // The composite foreign key refuses an agent of another tenant; it reads as not found. The summary is
        // locked as its last message is read: a delete of the conversation under way (it locks the summary
        // first) is waited for, and the message then starts the conversation anew, rather than naming a
        // parent the delete removes and failing on it.
        let message = try await row(
            """
            INSERT INTO agent_messages (agent_id, conversation_id, user_id, owner_id, role, content, metadata, parent_id)
            VALUES (\(agentID), \(conversationID), \(userID.rawValue), \(userID.rawValue), \(new.role.rawValue),
                    \(new.content), \(metadata)::jsonb,
                    (SELECT last_message_id FROM agent_conversations
                      WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) FOR KEY SHARE))
            RETURNING \(unescaped: Self.messageColumns())
            """, Self.message
        ).unwrapped(or: .notFound(resource: "agent"))
        if new.role == .user {
            try await nameConversation(agentID: agentID, conversationID: conversationID, after: new.content)
        }
        return message
    }

    /// One page of a conversation, oldest first by default. An agent or a conversation that is not the
    /// tenant's is not found.
    public func messages(agentID: AgentID, conversationID: ConversationID, _ request: PageRequest) async throws -> Page<Message> {
        try request.validate()
        let keyset = Keyset(request: request)
        let decode: (PostgresRow) throws -> (message: Message?, cursorFound: Bool, conversationFound: Bool, fetched: Int?) = {
            row in
            let columns = row.makeRandomAccess()
            return (
                try Self.optionalMessage(from: columns, at: 0),
                try columns[Self.messageColumnCount].decode(Bool.self),
                try columns[Self.messageColumnCount + 1].decode(Bool.self),
                try columns[Self.messageColumnCount + 2].decode(Int?.self)
            )
        }
        let rows: [(message: Message?, cursorFound: Bool, conversationFound: Bool, fetched: Int?)]
        if request.cursor == nil, request.order == .ascending {
            let first = PreparedPages.Conversation(
                agent: agentID.rawValue, tenant: userID.rawValue, conversation: conversationID.rawValue,
                limit: request.limit + 1)
            rows = try await self.rows(prepared: first, orSettingTenant: PreparedPages.TenantConversation(page: first), decode)
        } else {
            rows = try await self.rows(pageQuery(agentID: agentID, conversationID: conversationID, keyset: keyset).query, decode)
        }
        guard let first = rows.first else { throw StoreError.notFound(resource: "agent") }
        guard first.conversationFound else { throw StoreError.notFound(resource: "conversation") }
        guard first.cursorFound else {
            throw StoreError.invalid(
                field: keyset.readsBackwards ? .cursorBefore : .cursorAfter, reason: "names no message of this conversation")
        }
        // Fewer rows than were fetched: the content bound cut the page, so there is more past it.
        let messages = rows.compactMap(\.message)
        return keyset.page(from: messages, cutShort: messages.count < first.fetched ?? 0)
    }

    /// A page of a conversation read in one round trip: the agent row proves ownership, the lateral join
    /// reads the page (cut short by content bytes), and the last columns say whether the cursor names a
    /// message of this conversation, whether the conversation exists, and how many rows the cut saw.
    private func pageQuery(agentID: AgentID, conversationID: ConversationID, keyset: Keyset) -> SQLStatement {
        var sql = SQLStatement("SELECT \(Self.messageColumns("m"))")
        let agent = sql.bind(agentID.rawValue)
        let tenant = sql.bind(userID.rawValue)
        let conversation = sql.bind(conversationID.rawValue)
        sql.append(
            keyset.cursorID == nil
                ? ", true"
                : ", EXISTS (SELECT 1 FROM agent_messages c WHERE c.id = \(sql.bind(keyset.cursorID ?? "")) AND c.agent_id = \(agent) AND c.conversation_id = \(conversation))"
        )
        sql.append(
            """
            , EXISTS (SELECT 1 FROM agent_conversations c
                       WHERE c.agent_id = a.id AND c.conversation_id = \(conversation) AND c.owner_id = \(tenant)),
              m.fetched
             FROM agents a LEFT JOIN LATERAL (
            \(Self.contentBoundHead(order: keyset.fetchDirection))
              SELECT * FROM agent_messages m
               WHERE m.conversation_id = \(conversation) AND m.agent_id = a.id AND m.owner_id = \(tenant)
            """)
        keyset.appendBound(to: &sql, time: "m.created_at", id: "m.id") {
            "SELECT created_at, id FROM agent_messages WHERE id = \($0) AND agent_id = \(agent)"
        }
        keyset.appendOrder(to: &sql, time: "m.created_at", id: "m.id")
        let bound = sql.bind(Message.pageContentBytes)
        sql.append(Self.contentBoundTail(order: keyset.fetchDirection, bound: bound))
        sql.append(") m ON true WHERE a.id = \(agent) AND a.user_id = \(tenant)")
        return sql
    }

    /// What goes around a limited query of rows (of `agent_messages` by default, ordered by `(time, id)` in
    /// `order`) to drop the rows that start past a bound of content bytes (the first row is always kept),
    /// with a column `fetched` that counts the rows before the cut. `bytes` is a row's size, as SQL on `m`.
    ///
    /// A page of 100 messages of 1 MB each would otherwise be 100 MB, several times over, in the server's
    /// memory. Lengths are read from the rows' headers: the dropped rows' content is never read or sent.
    static func contentBoundHead(
        order: String, time: String = "created_at", id: String = "id", bytes: String = "octet_length(m.content)"
    ) -> String {
        """
        SELECT * FROM (
          SELECT m.*, count(*) OVER () AS fetched,
                 sum(\(bytes)) OVER (ORDER BY m.\(time) \(order), m.\(id) \(order) ROWS UNBOUNDED PRECEDING)
                   - \(bytes) AS content_before
            FROM (
        """
    }

    /// The end of ``contentBoundHead(order:time:id:bytes:)``'s query; `bound` is the placeholder of the byte
    /// bound.
    static func contentBoundTail(order: String, bound: String, time: String = "created_at", id: String = "id") -> String {
        ") m) m WHERE m.content_before < \(bound) ORDER BY m.\(time) \(order), m.\(id) \(order)"
    }

    // MARK: Conversations

    static let conversationColumns =
        "c.conversation_id, c.agent_id, c.title, c.message_count, c.created_at, c.first_message_at, c.last_message_at"

    /// A conversation from the columns of `conversationColumns` followed by its last message's, if any.
    static func conversation(from row: PostgresRow) throws -> Conversation {
        let columns = row.makeRandomAccess()
        return Conversation(
            id: ConversationID(stored: try columns[0].decode(String.self)),
            agentID: AgentID(stored: try columns[1].decode(String.self)),
            title: try columns[2].decode(String?.self), messageCount: try columns[3].decode(Int.self),
            createdAt: try columns[4].decode(Date.self), firstMessageAt: try columns[5].decode(Date?.self),
            lastMessageAt: try columns[6].decode(Date.self), lastMessage: try optionalMessage(from: columns, at: 7))
    }

    /// Starts a conversation with no messages yet.
    public func createConversation(agentID: AgentID, _ new: NewConversation) async throws -> Conversation {
        try new.validate()
        _ = try await agent(agentID)
        do {
            return try await row(
                """
                WITH c AS (
                  INSERT INTO agent_conversations AS c
                    (agent_id, conversation_id, owner_id, message_count, created_at, last_message_at, title)
                  SELECT \(agentID), coalesce(\(new.id?.rawValue), new_time_ordered_id()), \(userID.rawValue), 0, at, at,
                         \(new.title)
                    FROM (SELECT clock_timestamp() AS at) AS now
                  RETURNING *
                )
                SELECT \(unescaped: Self.conversationColumns), \(unescaped: Self.messageColumns("m"))
                  FROM c LEFT JOIN agent_messages m ON false
                """, Self.conversation
            ).unwrapped(or: .notFound(resource: "agent"))
        } catch StoreError.conflict(_, _) {
            throw StoreError.conflict(field: .id, reason: "a conversation with this id exists")
        }
    }

    /// One conversation of the agent.
    public func conversation(agentID: AgentID, conversationID: ConversationID) async throws -> Conversation {
        try await conversation(of: agent(agentID), conversationID)
    }

    /// One conversation of `agent`, as read in this transaction (a page that shows the agent has read it
    /// already: reading it again would only repeat that it exists).
    public func conversation(of agent: Agent, _ conversationID: ConversationID) async throws -> Conversation {
        try await row(
            """
            SELECT \(unescaped: Self.conversationColumns), \(unescaped: Self.messageColumns("m"))
              FROM agent_conversations c LEFT JOIN agent_messages m ON m.id = c.last_message_id
             WHERE c.agent_id = \(agent.id) AND c.conversation_id = \(conversationID) AND c.owner_id = \(userID.rawValue)
            """, Self.conversation
        ).unwrapped(or: .notFound(resource: "conversation"))
    }

    /// The agent's conversations, most recently active first by default, each with its latest message and
    /// size, read from the per-conversation summary (its cost does not grow with the agent's messages).
    ///
    /// Like a page of messages, a page ends early once the latest messages it carries pass
    /// ``Message/pageContentBytes`` (the first is always kept): 100 conversations that each end with a
    /// message of a megabyte were 100 MB in the server's memory.
    public func conversations(agentID: AgentID, _ request: PageRequest) async throws -> Page<Conversation> {
        try request.validate()
        _ = try await agent(agentID)
        let keyset = Keyset(request: request)
        let order = keyset.fetchDirection
        // Bounded by the bytes of each conversation's latest message (none for one without messages).
        let (time, id) = ("sort_time", "sort_id")
        let listing = """
            SELECT \(Self.conversationColumns), \(Self.messageColumns("m")),
                   m.content AS last_content, c.last_message_at AS \(time), c.conversation_id AS \(id)
              FROM agent_conversations c LEFT JOIN agent_messages m ON m.id = c.last_message_id
             WHERE c.agent_id =
            """
        var sql = SQLStatement(
            Self.contentBoundHead(order: order, time: time, id: id, bytes: "coalesce(octet_length(m.last_content), 0)")
                + listing)
        let agent = sql.bind(agentID.rawValue)
        let tenant = sql.bind(userID.rawValue)
        sql.append(" \(agent) AND c.owner_id = \(tenant)")
        keyset.appendBound(to: &sql, time: "c.last_message_at", id: "c.conversation_id") {
            "SELECT last_message_at, conversation_id FROM agent_conversations WHERE agent_id = \(agent) AND conversation_id = \($0)"
        }
        keyset.appendOrder(to: &sql, time: "c.last_message_at", id: "c.conversation_id")
        sql.append(Self.contentBoundTail(order: order, bound: sql.bind(Message.pageContentBytes), time: time, id: id))
        let cursorExists: PostgresQuery = """
            SELECT EXISTS (SELECT 1 FROM agent_conversations WHERE agent_id = \(agentID) AND conversation_id = \(keyset.cursorID))
            """
        return try await page(sql, keyset: keyset, cursorExists: cursorExists, cutShortBy: "fetched", Self.conversation)
    }

    /// Deletes a conversation and every message of it, with their feedback.
    /// - Returns: the replies that were still streaming: their cancel is published with the commit (see
    ///   `publishCancel(of:)`), so that no provider call runs on, billed, for a reply that no longer exists.
    @discardableResult
    public func deleteConversation(agentID: AgentID, conversationID: ConversationID) async throws -> [MessageID] {
        _ = try await agent(agentID)
        // The summary first, locked: a message being added meanwhile holds it until its commit, and the
        // DELETEs below, later statements, then see that message too. Unlocked, the summary trigger counted
        // the messages left with a snapshot taken before that commit, and removed the summary of a
        // conversation whose new message survived, unlisted.
        _ = try await rows(
            """
            SELECT 1 FROM agent_conversations
             WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) AND owner_id = \(userID.rawValue)
               FOR UPDATE
            """, { _ in () })
        // Counted in the statement: a conversation of many messages sends back one row, not one per message.
        let (deletedMessages, streamingIDs) =
            try await row(
                """
                WITH deleted AS (
                  DELETE FROM agent_messages
                   WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) AND owner_id = \(userID.rawValue)
                  RETURNING id, status
                )
                SELECT count(*)::int,
                       coalesce(array_agg(id) FILTER (WHERE status = \(Message.Status.streaming.rawValue)), '{}')
                  FROM deleted
                """
            ) { try $0.decode((Int, [String]).self) } ?? (0, [])
        let streaming = streamingIDs.map(MessageID.init(stored:))
        // The summary trigger removed a conversation that had messages; one without any is removed here.
        let deletedEmpty = try await affectedRows(
            """
            DELETE FROM agent_conversations
             WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) AND owner_id = \(userID.rawValue)
            RETURNING conversation_id
            """)
        guard deletedMessages + deletedEmpty > 0 else { throw StoreError.notFound(resource: "conversation") }
        try await audit(
            .conversationDeleted, targetType: "agent", targetID: agentID.rawValue,
            details: ["conversation_id": .string(conversationID.rawValue), "messages": .number(Double(deletedMessages))])
        for reply in streaming { try await publishCancel(of: reply) }
        return streaming
    }

    /// Gives the conversation the title the tenant chose (1 to 200 characters); the conversation as it now is.
    public func renameConversation(agentID: AgentID, conversationID: ConversationID, title: String) async throws
        -> Conversation
    {
        try Field.label(title, .title, length: 1...NewConversation.maximumTitleLength)
        _ = try await agent(agentID)
        let renamed = try await affectedRows(
            """
            UPDATE agent_conversations SET title = \(title)
             WHERE agent_id = \(agentID) AND conversation_id = \(conversationID) AND owner_id = \(userID.rawValue)
            RETURNING conversation_id
            """)
        guard renamed > 0 else { throw StoreError.notFound(resource: "conversation") }
        return try await conversation(agentID: agentID, conversationID: conversationID)
    }

    /// Gives an untitled conversation a title from a message (``NewConversation/title(from:)``).
    func nameConversation(agentID: AgentID, conversationID: ConversationID, after content: String) async throws {
        let title = NewConversation.title(from: content)
        guard !title.isEmpty else { return }
        try await execute(
            """
            UPDATE agent_conversations SET title = \(title)
             WHERE agent_id = \(agentID) AND conversation_id = \(conversationID)
               AND owner_id = \(userID.rawValue) AND title IS NULL
            """)
    }
}
