extension Migration {
    /// Two corrections found by review:
    ///
    /// - `start_completion` estimates the agent's system prompt as the platform estimates any other text
    ///   (`ContextBudget.estimatedTokens`): four ASCII characters a token, and each character beyond ASCII a
    ///   token of its own. It counted four bytes a token, so a system prompt in Chinese reserved three
    ///   quarters of a token a character where tokenizers count one or more.
    /// - The call ledger is listed by `(started_at, id)` (`GET /v1/usage/calls`), and its index held only
    ///   `(user_id, started_at)`: calls started in the same microsecond were sorted after the index scan. The
    ///   index now holds the id too, and serves the usage totals as the one it replaces did.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 19's function and the
    /// index of migration 5.
    static let fairerEstimates = Migration(
        version: 30,
        name: "a completion's system prompt is estimated as any text; the ledger is indexed as it is listed",
        up: [
            """
            CREATE OR REPLACE FUNCTION public.start_completion(
                p_user_id text, p_token_hash bytea, p_accepted_scopes text[], p_agent_id text, p_prompt_tokens integer,
                p_requested_max_tokens integer, p_default_max_tokens integer, p_monthly_token_budget bigint,
                p_requests_per_minute integer, p_chat_services text[], p_key_purpose text, p_request_id text)
              RETURNS TABLE (granted_scopes text[], id text, user_id text, name text, description text, system_prompt text,
                             model text, temperature float8, max_tokens integer, created_at timestamptz,
                             updated_at timestamptz, connection_ids text[], services text[], base_urls text[],
                             maximum_tokens integer, key_connection_id text, call_id text, refused_by text,
                             retry_after bigint, sealed_key text)
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              subject record;
              started record;
              bound integer;
              ascii integer;
              system_tokens bigint;
            BEGIN
              IF public.current_user_id() IS NOT NULL AND public.current_user_id() OPERATOR(pg_catalog.<>) p_user_id THEN
                RAISE EXCEPTION 'a completion of another tenant cannot start in this transaction' USING ERRCODE = '42501';
              END IF;
              IF p_token_hash IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', p_user_id, true);
              ELSE
                granted_scopes := public.authenticate_token(p_user_id, p_token_hash, p_accepted_scopes);
                IF public.current_user_id() IS NULL THEN
                  RETURN NEXT;
                  RETURN;
                END IF;
              END IF;
              SELECT * INTO subject FROM public.call_subject(p_agent_id);
              IF NOT FOUND THEN
                RETURN NEXT;
                RETURN;
              END IF;
              id := subject.id;
              user_id := subject.user_id;
              name := subject.name;
              description := subject.description;
              system_prompt := subject.system_prompt;
              model := subject.model;
              temperature := subject.temperature;
              max_tokens := subject.max_tokens;
              created_at := subject.created_at;
              updated_at := subject.updated_at;
              connection_ids := subject.connection_ids;
              services := subject.services;
              base_urls := subject.base_urls;
              bound := coalesce(subject.max_tokens, p_default_max_tokens);
              maximum_tokens := least(coalesce(p_requested_max_tokens, bound), bound);
              SELECT l.connection_id INTO key_connection_id
                FROM ROWS FROM (pg_catalog.unnest(subject.connection_ids), pg_catalog.unnest(subject.services))
                     WITH ORDINALITY AS l (connection_id, service, link_order)
               WHERE l.service OPERATOR(pg_catalog.=) ANY (p_chat_services)
               ORDER BY l.link_order
               LIMIT 1;
              IF key_connection_id IS NULL THEN
                RETURN NEXT;
                RETURN;
              END IF;
              -- As `ContextBudget.estimatedTokens` counts any text: four ASCII characters a token, and each
              -- character beyond ASCII a token of its own.
              ascii := pg_catalog.char_length(pg_catalog.regexp_replace(subject.system_prompt, '[^[:ascii:]]', '', 'g'));
              system_tokens := (ascii OPERATOR(pg_catalog.+) 3) OPERATOR(pg_catalog./) 4
                               OPERATOR(pg_catalog.+) (pg_catalog.char_length(subject.system_prompt) OPERATOR(pg_catalog.-) ascii);
              SELECT * INTO started FROM public.start_provider_call(
                p_agent_id, NULL, subject.model, 1,
                least(p_prompt_tokens::bigint OPERATOR(pg_catalog.+) system_tokens OPERATOR(pg_catalog.+) maximum_tokens,
                      2147483647)::integer,
                coalesce(subject.monthly_token_budget, p_monthly_token_budget),
                coalesce(subject.requests_per_minute, p_requests_per_minute),
                CASE WHEN p_key_purpose IS NULL THEN NULL ELSE key_connection_id END, p_key_purpose, p_request_id);
              call_id := started.call_id;
              refused_by := started.refused_by;
              retry_after := started.retry_after;
              sealed_key := started.sealed_key;
              RETURN NEXT;
            END
            $$
            """,
            "CREATE INDEX provider_calls_user_started_id_idx ON public.provider_calls (user_id, started_at, id)",
            "DROP INDEX public.provider_calls_user_started_idx",
        ],
        down: [
            "CREATE INDEX provider_calls_user_started_idx ON public.provider_calls (user_id, started_at)",
            "DROP INDEX public.provider_calls_user_started_id_idx",
            Migration.clearerRefusals.up[1],
        ]
    )
}
