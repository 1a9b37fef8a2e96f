import Foundation

extension Migration {
    /// Conversations branch: a message edited and sent again, or a reply regenerated, is a sibling of the
    /// first (the same parent), and a conversation is read as the thread that ends at one message.
    ///
    /// - `agent_messages.root`: a message stored without a parent on purpose, beside the conversation's
    ///   first message (the first, edited and sent again). Any other message without a parent was stored
    ///   before parents were (or by an app writing the seed's columns) and follows the message before it, so
    ///   without this mark such an edit would read as a follow-up of the newest message. False for every
    ///   existing message (a constant default rewrites nothing), and inserts that name only the seed's
    ///   columns keep working.
    /// - `tenant_conversation_messages`: `tenant_conversation_page` (migration 16) with the mark, for the
    ///   same first page of a conversation. A function of its own rather than that one changed: an instance
    ///   of the code before reads that one's columns by position while a deployment rolls, and a later
    ///   migration drops it once none runs.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let conversationThreads = Migration(
        version: 26,
        name: "messages may start their conversation anew",
        up: [
            """
            ALTER TABLE public.agent_messages ADD COLUMN root boolean NOT NULL DEFAULT false,
              ADD CONSTRAINT agent_messages_root_check CHECK (NOT root OR parent_id IS NULL)
            """,
            """
            CREATE FUNCTION public.tenant_conversation_messages(
                p_agent_id text, p_user_id text, p_conversation_id text, p_limit integer, p_content_bytes integer)
              RETURNS TABLE (id text, agent_id text, conversation_id text, user_id text, role text, content text,
                             metadata text, created_at timestamptz, parent_id text, status text, model text,
                             connection_id text, prompt_tokens integer, completion_tokens integer,
                             usage_estimated boolean, latency_ms integer, time_to_first_token_ms integer,
                             finish_reason text, error text, root boolean, agent_found boolean,
                             conversation_found boolean, fetched bigint)
              LANGUAGE plpgsql VOLATILE
              AS $$
            #variable_conflict use_column
            BEGIN
              IF public.current_user_id() IS NOT NULL AND public.current_user_id() OPERATOR(pg_catalog.<>) p_user_id THEN
                RAISE EXCEPTION 'a page of another tenant cannot be read in this transaction' USING ERRCODE = '42501';
              END IF;
              PERFORM pg_catalog.set_config('app.current_user_id', p_user_id, true);
              RETURN QUERY
                SELECT m.id, m.agent_id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::pg_catalog.text,
                       m.created_at, m.parent_id, m.status, m.model, m.connection_id, m.prompt_tokens,
                       m.completion_tokens, m.usage_estimated, m.latency_ms, m.time_to_first_token_ms,
                       m.finish_reason, m.error, m.root, true,
                       EXISTS (SELECT 1 FROM public.agent_conversations c
                                WHERE c.agent_id OPERATOR(pg_catalog.=) a.id
                                  AND c.conversation_id OPERATOR(pg_catalog.=) p_conversation_id
                                  AND c.owner_id OPERATOR(pg_catalog.=) p_user_id),
                       m.fetched
                  FROM public.agents a LEFT JOIN LATERAL (
                    SELECT * FROM (
                      SELECT m.*, pg_catalog.count(*) OVER () AS fetched,
                             pg_catalog.sum(pg_catalog.octet_length(m.content))
                               OVER (ORDER BY m.created_at ASC, m.id ASC ROWS UNBOUNDED PRECEDING)
                               OPERATOR(pg_catalog.-) pg_catalog.octet_length(m.content) AS content_before
                        FROM (
                          SELECT * FROM public.agent_messages m
                           WHERE m.conversation_id OPERATOR(pg_catalog.=) p_conversation_id
                             AND m.agent_id OPERATOR(pg_catalog.=) a.id AND m.owner_id OPERATOR(pg_catalog.=) p_user_id
                           ORDER BY m.created_at ASC, m.id ASC LIMIT p_limit
                        ) m
                    ) m WHERE m.content_before OPERATOR(pg_catalog.<) p_content_bytes ORDER BY m.created_at ASC, m.id ASC
                  ) m ON true
                 WHERE a.id OPERATOR(pg_catalog.=) p_agent_id AND a.user_id OPERATOR(pg_catalog.=) p_user_id;
            END
            $$
            """,
            "REVOKE ALL ON FUNCTION public.tenant_conversation_messages(text, text, text, integer, integer) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.tenant_conversation_messages(text, text, text, integer, integer) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.tenant_conversation_messages(text, text, text, integer, integer)",
            "ALTER TABLE public.agent_messages DROP COLUMN root",
        ])
}
