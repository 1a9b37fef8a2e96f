import Foundation
import PostgresNIO

extension TenantSession {
    // MARK: Threads

    /// The SQL of the message that `alias`'s row follows: its parent; for a message stored before parents
    /// were (or by an app writing the seed's columns), the one before it; none for a first message or a
    /// `root` (a first message edited and sent again). The one rule for a thread, read by the history a
    /// reply is given and by the thread a reader sees.
    static func followedMessage(_ alias: String) -> String {
        """
        coalesce(\(alias).parent_id,
                 CASE WHEN NOT \(alias).root THEN
                   (SELECT p.id FROM agent_messages p
                     WHERE p.agent_id = \(alias).agent_id AND p.conversation_id = \(alias).conversation_id
                       AND (p.created_at, p.id) < (\(alias).created_at, \(alias).id)
                     ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
                 END)
        """
    }

    /// A thread of one of the tenant's conversations: at most `limit` messages up to the one `end` names,
    /// each with its versions, and fewer once their content passes ``Message/pageContentBytes`` (the last
    /// is always kept), as a page of messages. An empty conversation has an empty thread; an unknown one,
    /// or a message `end` names that is not of this conversation, is not found.
    public func thread(
        agentID: AgentID, conversationID: ConversationID, ending end: ConversationThread.End, limit: Int
    ) async throws -> ConversationThread {
        try await thread(of: conversation(agentID: agentID, conversationID: conversationID), ending: end, limit: limit)
    }

    /// A thread of `conversation`, as read in this transaction (a page that shows the conversation has read
    /// it already, and its newest message with it).
    public func thread(of conversation: Conversation, ending end: ConversationThread.End, limit: Int) async throws
        -> ConversationThread
    {
        guard let last = try await threadEnd(of: conversation, end) else {
            return ConversationThread(messages: [], hasEarlier: false)
        }
        // Read back from the last message, one more than shown (to know whether there are earlier ones).
        let read = PreparedPages.Thread(
            last: last.rawValue, tenant: userID.rawValue, limit: limit, contentBytes: Message.pageContentBytes)
        let messages = try await rows(prepared: read) { row -> ThreadMessage? in
            let columns = row.makeRandomAccess()
            let at = Self.messageColumnCount
            guard try columns[at + 5].decode(Bool.self) else { return nil }
            return ThreadMessage(
                message: try Self.message(from: columns, at: 0),
                follows: try columns[at].decode(String?.self).map(MessageID.init(stored:)),
                versions: MessageVersions(
                    count: try columns[at + 1].decode(Int.self), position: try columns[at + 2].decode(Int.self),
                    previous: try columns[at + 3].decode(String?.self).map(MessageID.init(stored:)),
                    next: try columns[at + 4].decode(String?.self).map(MessageID.init(stored:))))
        }
        let shown = messages.compactMap { $0 }
        return ConversationThread(messages: shown, hasEarlier: shown.count < messages.count)
    }

    /// The thread through `id` as a reader pages it: to the newest message after `id`, as
    /// ``ConversationThread/End/through(_:)`` reads it, when `id` is among its last `limit` messages; else
    /// the `limit` messages from ``messagesShownBefore`` before `id` on, which stop short of the thread's
    /// end (`hasLater`). A search's hit far back in a long conversation is then on the page it leads to, and
    /// so is the message a page of earlier messages ended with, when its reader goes on.
    public func thread(of conversation: Conversation, showing id: MessageID, limit: Int) async throws
        -> ConversationThread
    {
        let toTheEnd = try await thread(of: conversation, ending: .through(id), limit: limit)
        guard let end = toTheEnd.messages.last?.message.id, !toTheEnd.messages.contains(where: { $0.message.id == id })
        else { return toTheEnd }
        // Walked back from the end to `id`, one step a row: the window ends as many steps after `id` as it
        // shows messages after it.
        let stepsAfter = max(limit - Self.messagesShownBefore - 1, 0)
        let windowEnd = try await row(
            """
            WITH RECURSIVE back (id, steps) AS (
              SELECT \(end.rawValue)::text, 0
              UNION ALL
              SELECT \(unescaped: Self.followedMessage("m")), b.steps + 1
                FROM back b JOIN agent_messages m ON m.id = b.id AND m.owner_id = \(userID.rawValue)
               WHERE b.id <> \(id.rawValue)
            )
            SELECT id FROM back WHERE id IS NOT NULL ORDER BY steps DESC OFFSET \(stepsAfter) LIMIT 1
            """
        ) { try $0.decode(String.self) }
        guard let windowEnd else { return toTheEnd }
        var window = try await thread(of: conversation, ending: .at(MessageID(stored: windowEnd)), limit: limit)
        window.hasLater = true
        return window
    }

    /// How many messages a window read to show a message (``thread(of:showing:limit:)``) shows before it.
    static let messagesShownBefore = 5

    /// The message a thread ends at: the conversation's newest; the newest after the one named (walking
    /// down what follows it by ``followedMessage(_:)``'s rule: the messages whose parent it is, and the
    /// message right after it when that one has no parent and is no `root`, as the seed's messages have
    /// none; the walk carries each message's time rather than joining the table again, as the thread's own
    /// walk does); or the one named. Nil for a conversation without messages.
    private func threadEnd(of conversation: Conversation, _ end: ConversationThread.End) async throws -> MessageID? {
        let (agentID, conversationID) = (conversation.agentID, conversation.id)
        let found: String??
        switch end {
        case .newest:
            return conversation.lastMessage?.id
        case .through(let id):
            found = try await row(
                """
                WITH RECURSIVE below (id, created_at) AS (
                  SELECT id, created_at FROM agent_messages
                   WHERE id = \(id.rawValue) AND owner_id = \(userID.rawValue) AND agent_id = \(agentID.rawValue)
                     AND conversation_id = \(conversationID.rawValue)
                  UNION ALL
                  SELECT n.id, n.created_at
                    FROM below b CROSS JOIN LATERAL (
                      SELECT m.id, m.created_at FROM agent_messages m
                       WHERE m.parent_id = b.id AND m.owner_id = \(userID.rawValue)
                      UNION ALL
                      SELECT x.id, x.created_at FROM (
                        SELECT m.id, m.created_at, m.parent_id, m.root FROM agent_messages m
                         WHERE m.owner_id = \(userID.rawValue) AND m.agent_id = \(agentID.rawValue)
                           AND m.conversation_id = \(conversationID.rawValue)
                           AND (m.created_at, m.id) > (b.created_at, b.id)
                         ORDER BY m.created_at, m.id LIMIT 1
                      ) x WHERE x.parent_id IS NULL AND NOT x.root
                    ) n
                )
                SELECT id FROM below ORDER BY created_at DESC, id DESC LIMIT 1
                """
            ) { try $0.decode(String?.self) }
        case .at(let id):
            found = try await row(
                """
                SELECT id FROM agent_messages
                 WHERE id = \(id.rawValue) AND owner_id = \(userID.rawValue) AND agent_id = \(agentID.rawValue)
                   AND conversation_id = \(conversationID.rawValue)
                """
            ) { try $0.decode(String?.self) }
        }
        guard let found = found.flatMap({ $0 }) else { throw StoreError.notFound(resource: "message") }
        return MessageID(stored: found)
    }
}
