extension Migration {
    /// An agent's connections are tried in the order its owner sets, where only the order of linking did
    /// (changing it meant unlinking and linking again, and a reply in between had one connection fewer).
    ///
    /// `call_position` is set for every link of the agent at once by a reorder (1 first); a link made since,
    /// or by an insert that names only the original columns, has none and comes after those that do, in the
    /// order of linking, as before. `call_subject` reads the new order; the runtime may update this column (as
    /// it may `updated_at`) and no other of a link.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let connectionOrder = Migration(
        version: 29,
        name: "an agent's connections are tried in the order its owner sets",
        up: [
            """
            ALTER TABLE public.agent_api_connections ADD COLUMN call_position integer
              CONSTRAINT agent_api_connections_call_position_range CHECK (call_position BETWEEN 1 AND 10000)
            """,
            "GRANT UPDATE (call_position) ON public.agent_api_connections TO agent_runtime",
            """
            CREATE OR REPLACE FUNCTION public.call_subject(p_agent_id text)
              RETURNS TABLE (id text, user_id text, name text, description text, system_prompt text, model text,
                             temperature float8, max_tokens integer, created_at timestamptz, updated_at timestamptz,
                             connection_ids text[], services text[], base_urls text[],
                             monthly_token_budget bigint, requests_per_minute integer)
              LANGUAGE plpgsql STABLE
              SET search_path = pg_catalog, public
              AS $$
            BEGIN
              RETURN QUERY
              SELECT a.id, a.user_id, a.name, a.description, a.system_prompt, a.model, a.temperature::float8, a.max_tokens,
                     a.created_at, a.updated_at, k.ids, k.services, k.base_urls, cl.monthly_token_budget, cl.requests_per_minute
                FROM public.agents a
                LEFT JOIN LATERAL (
                  SELECT array_agg(c.id ORDER BY l.call_position NULLS LAST, l.created_at, l.id) AS ids,
                         array_agg(c.service ORDER BY l.call_position NULLS LAST, l.created_at, l.id) AS services,
                         array_agg(coalesce(c.metadata->>'base_url', '') ORDER BY l.call_position NULLS LAST, l.created_at, l.id) AS base_urls
                    FROM public.agent_api_connections l
                    JOIN public.api_connections c ON c.id = l.api_connection_id AND c.user_id = l.user_id
                   WHERE l.agent_id = a.id AND l.user_id = a.user_id
                ) k ON true
                LEFT JOIN public.chat_limits cl ON cl.user_id = a.user_id
               WHERE a.id = p_agent_id AND a.user_id = public.current_user_id();
            END
            $$
            """,
        ],
        down: [
            """
            CREATE OR REPLACE FUNCTION public.call_subject(p_agent_id text)
              RETURNS TABLE (id text, user_id text, name text, description text, system_prompt text, model text,
                             temperature float8, max_tokens integer, created_at timestamptz, updated_at timestamptz,
                             connection_ids text[], services text[], base_urls text[],
                             monthly_token_budget bigint, requests_per_minute integer)
              LANGUAGE plpgsql STABLE
              SET search_path = pg_catalog, public
              AS $$
            BEGIN
              RETURN QUERY
              SELECT a.id, a.user_id, a.name, a.description, a.system_prompt, a.model, a.temperature::float8, a.max_tokens,
                     a.created_at, a.updated_at, k.ids, k.services, k.base_urls, cl.monthly_token_budget, cl.requests_per_minute
                FROM public.agents a
                LEFT JOIN LATERAL (
                  SELECT array_agg(c.id ORDER BY l.created_at, l.id) AS ids,
                         array_agg(c.service ORDER BY l.created_at, l.id) AS services,
                         array_agg(coalesce(c.metadata->>'base_url', '') ORDER BY l.created_at, l.id) AS base_urls
                    FROM public.agent_api_connections l
                    JOIN public.api_connections c ON c.id = l.api_connection_id AND c.user_id = l.user_id
                   WHERE l.agent_id = a.id AND l.user_id = a.user_id
                ) k ON true
                LEFT JOIN public.chat_limits cl ON cl.user_id = a.user_id
               WHERE a.id = p_agent_id AND a.user_id = public.current_user_id();
            END
            $$
            """,
            "REVOKE UPDATE (call_position) ON public.agent_api_connections FROM agent_runtime",
            "ALTER TABLE public.agent_api_connections DROP COLUMN call_position",
        ])
}
