import PostgresNIO

/// The first pages of the busiest listings as prepared statements: each connection plans them once,
/// where the same SQL sent unprepared is planned on every request, and planning is most of their cost
/// (under row-level security, planning the policies too). Later pages stay dynamic keyset SQL: a cached
/// generic plan for the cursor form read page 1,000 of a long conversation in 6 ms instead of 1.3 ms.
enum PreparedPages {
    /// The tenant's agents, newest first.
    struct Agents: TenantPage {
        static let sql = """
            SELECT \(TenantSession.agentColumns) FROM agents WHERE user_id = $1
             ORDER BY created_at DESC, id DESC LIMIT $2
            """
        let tenant: String
        let limit: Int
    }

    /// The tenant's agents, newest first, through `tenant_agents_page` (migration 16), which sets the
    /// tenant first: the first statement of a transaction whose tenant is deferred.
    struct TenantAgents: TenantPage {
        static let sql = """
            SELECT \(TenantSession.agentColumns) FROM public.tenant_agents_page($1, $2::integer)
             ORDER BY created_at DESC, id DESC
            """
        let tenant: String
        let limit: Int
    }

    /// A conversation's oldest messages, with the agent row proving ownership (no row: no such agent) and
    /// whether the conversation exists; cut short by content bytes (``Message/pageContentBytes``).
    struct Conversation: PreparedPage {
        static let sql = """
            SELECT \(TenantSession.messageColumns("m")), true,
                   EXISTS (SELECT 1 FROM agent_conversations c WHERE c.agent_id = a.id AND c.conversation_id = $3 AND c.owner_id = $2),
                   m.fetched
              FROM agents a LEFT JOIN LATERAL (
                \(TenantSession.contentBoundHead(order: "ASC"))
                SELECT * FROM agent_messages m
                 WHERE m.conversation_id = $3 AND m.agent_id = a.id AND m.owner_id = $2
                 ORDER BY m.created_at ASC, m.id ASC LIMIT $4
                \(TenantSession.contentBoundTail(order: "ASC", bound: "$5"))
              ) m ON true
             WHERE a.id = $1 AND a.user_id = $2
            """
        let agent: String
        let tenant: String
        let conversation: String
        let limit: Int
        var contentBytes = Message.pageContentBytes

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(agent)
            bindings.append(tenant)
            bindings.append(conversation)
            bindings.append(limit)
            bindings.append(contentBytes)
            return bindings
        }
    }

    /// A conversation's oldest messages as ``Conversation`` reads them, through `tenant_conversation_messages`
    /// (migration 26; migration 16's `tenant_conversation_page` without the `root` column), which sets the
    /// tenant first: the first statement of a transaction whose tenant is deferred.
    struct TenantConversation: PreparedPage {
        static let sql = "SELECT * FROM public.tenant_conversation_messages($1, $2, $3, $4::integer, $5::integer)"
        let page: Conversation

        func makeBindings() throws -> PostgresBindings { try page.makeBindings() }
    }

    /// A conversation's thread (``TenantSession/thread(agentID:conversationID:ending:limit:)``), read back
    /// from its last message (`$1`) along ``TenantSession/followedMessage(_:)``: at most `$3` messages and
    /// one more, while their content stays within `$4` bytes; each with its versions (the messages of its
    /// parent; for a first message, the conversation's first messages: its very first, and those stored as
    /// `root`; for one stored before parents were, itself). Prepared: planning it took 4 ms a request.
    ///
    /// The walk carries the messages' columns, and the versions are read by parent alone: joined to the
    /// table again, or with the tenant's column as well, a table without statistics yet (a young database)
    /// was planned as scans of every message of the tenant, 26 to 77 ms instead of 3 for 100 messages.
    struct Thread: PreparedPage {
        static let sql = """
            WITH RECURSIVE thread AS (
              SELECT \(TenantSession.messageColumns("m")), \(TenantSession.followedMessage("m")) AS follows, 1 AS depth,
                     octet_length(m.content)::bigint AS bytes
                FROM agent_messages m WHERE m.id = $1 AND m.owner_id = $2
              UNION ALL
              SELECT \(TenantSession.messageColumns("m")), \(TenantSession.followedMessage("m")), t.depth + 1,
                     t.bytes + octet_length(m.content)
                FROM thread t JOIN agent_messages m ON m.id = t.follows AND m.owner_id = $2
               WHERE t.depth <= $3 AND t.bytes <= $4
            )
            SELECT \(TenantSession.messageColumns("m")), m.follows, v.count, v.position, v.previous, v.next,
                   m.depth = 1 OR (m.depth <= $3 AND m.bytes <= $4) AS shown
              FROM thread m
              CROSS JOIN LATERAL (
                SELECT count(*)::int AS count,
                       (count(*) FILTER (WHERE (s.created_at, s.id) < (m.created_at, m.id)))::int + 1 AS position,
                       (array_agg(s.id ORDER BY s.created_at DESC, s.id DESC)
                          FILTER (WHERE (s.created_at, s.id) < (m.created_at, m.id)))[1] AS previous,
                       (array_agg(s.id ORDER BY s.created_at, s.id) FILTER (WHERE (s.created_at, s.id) > (m.created_at, m.id)))[1]
                         AS next
                  FROM (
                    SELECT s.id, s.created_at FROM agent_messages s
                     WHERE m.parent_id IS NOT NULL AND s.parent_id = m.parent_id
                    UNION ALL
                    SELECT s.id, s.created_at FROM agent_messages s
                     WHERE m.parent_id IS NULL AND m.follows IS NULL
                       AND s.agent_id = m.agent_id AND s.conversation_id = m.conversation_id AND s.parent_id IS NULL
                       AND (s.root OR NOT EXISTS (
                             SELECT 1 FROM agent_messages e
                              WHERE e.agent_id = s.agent_id AND e.conversation_id = s.conversation_id
                                AND (e.created_at, e.id) < (s.created_at, s.id)))
                    UNION ALL
                    SELECT m.id, m.created_at WHERE m.parent_id IS NULL AND m.follows IS NOT NULL
                  ) s
              ) v
             ORDER BY m.depth DESC
            """
        let last: String
        let tenant: String
        let limit: Int
        let contentBytes: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(last)
            bindings.append(tenant)
            bindings.append(limit)
            bindings.append(contentBytes)
            return bindings
        }
    }

    /// The feedback the tenant gave, newest first.
    struct GivenFeedback: TenantPage {
        static let sql = """
            SELECT \(TenantSession.feedbackColumns) FROM agent_feedback WHERE user_id = $1
             ORDER BY created_at DESC, id DESC LIMIT $2
            """
        let tenant: String
        let limit: Int
    }
}

/// A prepared statement whose rows are decoded by the store's own row decoders.
protocol PreparedPage: PostgresPreparedStatement where Row == PostgresRow {}

extension PreparedPage {
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// A page of one tenant's rows: `$1` is the tenant, `$2` the limit.
protocol TenantPage: PreparedPage {
    var tenant: String { get }
    var limit: Int { get }
}

extension TenantPage {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(tenant)
        bindings.append(limit)
        return bindings
    }
}
