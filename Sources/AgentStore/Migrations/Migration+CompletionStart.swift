extension Migration {
    /// A chat completion (the OpenAI-compatible endpoint without a conversation) starts in one statement,
    /// outside a transaction block: `start_completion(...)` checks the personal token and sets the tenant
    /// (or sets the tenant its caller authenticated), reads the agent with its links and the tenant's limit
    /// overrides (`call_subject`), picks the first linked connection whose service can answer, and starts the
    /// call (`start_provider_call`: the limits, the ledger entry, the key read and its opening audited).
    ///
    /// Before, the same work was `BEGIN`, the token's check, `call_subject`, `start_provider_call` and
    /// `COMMIT`: five round trips before the provider could be called, and about a fifth of the server's CPU
    /// per completion went to PostgresNIO's handling of its statements (`bench chat`, profiled).
    ///
    /// Like the settlements of migration 12, it sets the tenant, which a SET clause would revert on return,
    /// so it has none and names everything by schema; the tenant ends with the statement's implicit
    /// transaction. Inside a transaction of another tenant it refuses (42501) rather than switch tenants.
    /// A token that is not valid, or lacks the scopes accepted, gets a row that says so and nothing else;
    /// an agent with no connection that can answer gets its row without a call, and nothing is entered.
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let completionStart = Migration(
        version: 13,
        name: "a chat completion starts in one statement",
        up: [
            """
            CREATE FUNCTION public.start_completion(
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
              SELECT * INTO started FROM public.start_provider_call(
                p_agent_id, NULL, subject.model, 1,
                least(p_prompt_tokens::bigint OPERATOR(pg_catalog.+) maximum_tokens, 2147483647)::integer,
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
            """
            REVOKE ALL ON FUNCTION public.start_completion(
              text, bytea, text[], text, integer, integer, integer, bigint, integer, text[], text, text) FROM PUBLIC
            """,
            """
            GRANT EXECUTE ON FUNCTION public.start_completion(
              text, bytea, text[], text, integer, integer, integer, bigint, integer, text[], text, text) TO agent_runtime
            """,
        ],
        down: [
            "DROP FUNCTION public.start_completion(text, bytea, text[], text, integer, integer, integer, bigint, integer, text[], text, text)"
        ]
    )
}
