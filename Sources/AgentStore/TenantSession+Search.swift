import Foundation
import PostgresNIO

extension TenantSession {
    // MARK: Search

    /// The tenant's messages whose content matches `query` and conversations whose title does, in one
    /// list, best first (`ts_rank`, normalised by length; a title weighs more than a passing mention), each
    /// with a highlighted snippet. Paged by keyset on `(rank, kind, agent, id)`, which orders every hit
    /// uniquely, so pages neither repeat nor skip a hit of an unchanged search. An agent of the filter that
    /// is not the tenant's is not found.
    public func search(_ query: SearchQuery, _ request: SearchPageRequest) async throws -> SearchPage {
        try query.validate()
        try request.validate(for: query)
        if let agentID = query.agentID { _ = try await agent(agentID) }
        let hits = try await rows(Self.searchStatement(tenant: userID, query, request)) { row in
            let (kind, agentID, rank, conversationID, title, messageID, role, createdAt, headline) = try row.decode(
                (String, String, Float, String, String?, String?, String?, Date, String).self)
            return SearchHit(
                kind: SearchHit.Kind(rawValue: kind) ?? .message, agentID: AgentID(stored: agentID),
                conversationID: ConversationID(stored: conversationID), conversationTitle: title,
                messageID: messageID.map(MessageID.init(stored:)), role: role.flatMap(Message.Role.init(rawValue:)),
                createdAt: createdAt, rank: rank, snippet: SnippetPart.parts(ofHeadline: headline))
        }
        let page = Array(hits.prefix(request.limit))
        let more = hits.count > request.limit
        return SearchPage(hits: page, nextCursor: more ? page.last?.cursor(for: query) : nil)
    }

    /// `ts_headline`'s options: the markers ``SnippetPart`` splits at, and up to two fragments of the text
    /// around the matches. What the parser reads as an HTML or XML tag is left out of a headline.
    private static let headlineOptions =
        "StartSel=\(SnippetPart.startMarker), StopSel=\(SnippetPart.stopMarker), MaxWords=24, MinWords=8, "
        + "MaxFragments=2, FragmentDelimiter=\" … \""

    /// One statement: the matches of both kinds with their ranks only, the page of them after the cursor,
    /// then for the page's rows alone the message, the conversation and the headline (`ts_headline` parses
    /// the whole text again, so it runs on at most `limit + 1` rows).
    ///
    /// Both match conditions can use their GIN index (see `Migration.search` for why the runtime role can);
    /// the tenant filter repeats what the policies enforce, as every query of the store does. Package-wide
    /// so that a test can read its plan.
    package static func searchStatement(
        tenant userID: UserID, _ query: SearchQuery, _ request: SearchPageRequest
    ) -> PostgresQuery {
        var sql = SQLStatement()
        let tenant = sql.bind(userID.rawValue)
        let text = sql.bind(query.websearchText)
        let words = "websearch_to_tsquery('english'::regconfig, \(text))"
        let tsquery: String
        if let typed = query.typedLastWord {
            // The last lexeme of the query's text form ('harbour' & 'walk') becomes a group: itself as a
            // prefix, or the stem of a shorter form of the word ('walk':* | 'wal'). A word typed that has no
            // stem (a stop word, which no text's index holds) may be finished ("turn off") or begin another
            // ('off' may begin 'office'): after other words it asks nothing more; alone it is a prefix. Every
            // word is a bound value; the lexemes are PostgreSQL's own text forms, so nothing typed is SQL.
            let word = sql.bind(typed.lowercased())
            let shortenings = sql.bind(query.typedLastWordShortenings)
            tsquery = """
                (CASE WHEN websearch_to_tsquery('english'::regconfig, \(word))::text <> ''
                      THEN regexp_replace(\(words)::text, '''(?:[^'']|'''')*''$',
                             '(\\&:*' || coalesce((SELECT string_agg(' | ' || stem, '')
                                                      FROM (SELECT websearch_to_tsquery('english'::regconfig, shorter)::text AS stem
                                                              FROM unnest(\(shortenings)::text[]) AS shorter) AS stems
                                                     WHERE stem <> ''), '') || ')')::tsquery
                      WHEN \(words)::text = '' THEN to_tsquery('simple'::regconfig, \(word) || ':*')
                      ELSE \(words)
                 END)
                """
        } else {
            tsquery = words
        }
        // A query of left-out words alone (`-rocket`) matches no word: `querytree` reads it as `T`, a match of
        // everything but those words, which would walk every message of the tenant. It finds nothing, as a
        // web search engine's does (a condition on the parameter alone: checked once, not per row).
        let searchable = "querytree(\(tsquery)) <> 'T'"
        let agentFilter: (String) -> String
        if let agentID = query.agentID {
            let agent = sql.bind(agentID.rawValue)
            agentFilter = { " AND \($0).agent_id = \(agent)" }
        } else {
            agentFilter = { _ in "" }
        }
        sql.append(
            """
            WITH hits AS (
              SELECT 'message'::text AS kind, m.agent_id, m.id AS item_id, ts_rank(m.content_search, \(tsquery), 1) AS rank
                FROM agent_messages m
               WHERE m.owner_id = \(tenant) AND m.content_search @@ \(tsquery) AND \(searchable)\(agentFilter("m"))
              UNION ALL
              SELECT 'conversation'::text, c.agent_id, c.conversation_id, ts_rank(c.title_search, \(tsquery), 1)
                FROM agent_conversations c
               WHERE c.owner_id = \(tenant) AND c.title_search @@ \(tsquery) AND \(searchable)\(agentFilter("c"))
            ), page AS (
              SELECT kind, agent_id, item_id, rank FROM hits
            """)
        if let cursor = request.cursor {
            sql.append(
                """
                 WHERE (rank, kind, agent_id, item_id)
                     < (\(sql.bind(cursor.rank))::real, \(sql.bind(cursor.kind.rawValue)), \(sql.bind(cursor.agentID)), \(sql.bind(cursor.itemID)))
                """)
        }
        let markers = sql.bind(String(String.UnicodeScalarView([SnippetPart.startMarker, SnippetPart.stopMarker])))
        sql.append(
            """
             ORDER BY rank DESC, kind DESC, agent_id DESC, item_id DESC LIMIT \(sql.bind(request.limit + 1))
            )
            SELECT p.kind, p.agent_id, p.rank, c.conversation_id, c.title, m.id, m.role,
                   coalesce(m.created_at, c.created_at),
                   ts_headline('english'::regconfig,
                               translate(CASE WHEN p.kind = 'message' THEN left(m.content, 100000) ELSE c.title END,
                                         \(markers), ''),
                               \(tsquery), \(sql.bind(Self.headlineOptions)))
              FROM page p
              LEFT JOIN agent_messages m ON p.kind = 'message' AND m.id = p.item_id AND m.owner_id = \(tenant)
              JOIN agent_conversations c
                ON c.agent_id = p.agent_id AND c.conversation_id = coalesce(m.conversation_id, p.item_id)
               AND c.owner_id = \(tenant)
             ORDER BY p.rank DESC, p.kind DESC, p.agent_id DESC, p.item_id DESC
            """)
        return sql.query
    }
}
