extension Migration {
    /// The first page of the tenant's agents and the first page of a conversation as functions that set
    /// the tenant and then read the page, the same SQL as the prepared pages of `PreparedPages`: as the
    /// first statement of a transaction opened for a tenant its caller authenticated (a JSON Web Token, a
    /// console session), each sets the tenant itself, where a `SET LOCAL` of its own went ahead of it, one
    /// more round trip per transaction.
    ///
    /// PL/pgSQL runs a function's statements in order, so the page is read under the tenant just set. Like
    /// `start_completion`, each has no SET clause (one would revert the tenant on return), names
    /// everything by schema, and refuses (42501) inside a transaction of another tenant rather than switch
    /// tenants. SECURITY INVOKER (the default): the policies apply to the caller as to any query.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let tenantPages = Migration(
        version: 16,
        name: "the first pages of a tenant's agents and of a conversation set the tenant themselves",
        up: [
            """
            CREATE FUNCTION public.tenant_agents_page(p_user_id text, p_limit integer)
              RETURNS SETOF public.agents
              LANGUAGE plpgsql VOLATILE
              AS $$
            BEGIN
              IF public.current_user_id() IS NOT NULL AND public.current_user_id() OPERATOR(pg_catalog.<>) p_user_id THEN
                RAISE EXCEPTION 'a page of another tenant cannot be read in this transaction' USING ERRCODE = '42501';
              END IF;
              PERFORM pg_catalog.set_config('app.current_user_id', p_user_id, true);
              RETURN QUERY
                SELECT * FROM public.agents a WHERE a.user_id OPERATOR(pg_catalog.=) p_user_id
                 ORDER BY a.created_at DESC, a.id DESC LIMIT p_limit;
            END
            $$
            """,
            """
            CREATE FUNCTION public.tenant_conversation_page(
                p_agent_id text, p_user_id text, p_conversation_id text, p_limit integer, p_content_bytes integer)
              RETURNS TABLE (id text, agent_id text, conversation_id text, user_id text, role text, content text,
                             metadata text, created_at timestamptz, parent_id text, status text, model text,
                             connection_id text, prompt_tokens integer, completion_tokens integer,
                             usage_estimated boolean, latency_ms integer, time_to_first_token_ms integer,
                             finish_reason text, error text, agent_found boolean, conversation_found boolean,
                             fetched bigint)
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
                       m.finish_reason, m.error, true,
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
            "REVOKE ALL ON FUNCTION public.tenant_agents_page(text, integer) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.tenant_agents_page(text, integer) TO agent_runtime",
            "REVOKE ALL ON FUNCTION public.tenant_conversation_page(text, text, text, integer, integer) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.tenant_conversation_page(text, text, text, integer, integer) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.tenant_conversation_page(text, text, text, integer, integer)",
            "DROP FUNCTION public.tenant_agents_page(text, integer)",
        ]
    )
}
