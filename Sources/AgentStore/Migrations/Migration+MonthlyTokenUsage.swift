extension Migration {
    /// A start checks the monthly token budget against a counter instead of summing the month's ledger, and
    /// new ids are computed inline.
    ///
    /// - `monthly_token_usage (user_id, month, tokens)`: what each tenant's settled calls started in each UTC
    ///   month used, kept by triggers on `provider_calls` as calls settle. What a start checks is that counter
    ///   plus the reservations of the tenant's running calls (a partial index holds those, as many as run at
    ///   once): the same total as before. Before, every start of a tenant with a budget summed all of its
    ///   calls of the month while holding the tenant's lock, a cost that grew with the month (100,000 rows
    ///   read per start for a tenant with 100,000 calls) and that its other starts queued behind.
    /// - Starts do not touch the counter (their trigger's condition is false for a running call), so
    ///   concurrent starts of one tenant do not queue on its row; settlements do, briefly, after the reply.
    ///   The counter is derived from the ledger, which stays the bill, and was filled from it here.
    /// - `new_time_ordered_id()` loses its SET clause (a function with one is never inlined) for a body in
    ///   the standard SQL form, whose names are resolved when it is created, so no search path can change
    ///   them. As every column default and insert used it, each new row paid a function call that was
    ///   planned again on every statement: 0.05 ms, against 0.009 inlined (`pgbench`, ten per statement).
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let monthlyTokenUsage = Migration(
        version: 14,
        name: "budgets read a monthly counter; new ids are inlined",
        up: [
            """
            CREATE OR REPLACE FUNCTION public.new_time_ordered_id() RETURNS text
              LANGUAGE sql VOLATILE PARALLEL SAFE
              RETURN pg_catalog.encode(pg_catalog.set_bit(pg_catalog.set_bit(overlay(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
                PLACING substring(pg_catalog.int8send(pg_catalog.floor(extract(epoch FROM pg_catalog.clock_timestamp())
                                                                       OPERATOR(pg_catalog.*) 1000)::bigint) FROM 3)
                FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::pg_catalog.uuid::pg_catalog.text
            """,
            """
            CREATE TABLE public.monthly_token_usage (
              user_id text NOT NULL DEFAULT public.current_user_id()
                REFERENCES public.users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              month date NOT NULL,
              tokens bigint NOT NULL,
              PRIMARY KEY (user_id, month)
            )
            """,
            """
            INSERT INTO public.monthly_token_usage (user_id, month, tokens)
            SELECT c.user_id, date_trunc('month', c.started_at AT TIME ZONE 'UTC')::date,
                   sum(c.prompt_tokens::bigint + c.completion_tokens + c.reserved_tokens)
              FROM public.provider_calls c
             WHERE c.status <> 'running'
             GROUP BY 1, 2
            """,
            "ALTER TABLE public.monthly_token_usage ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.monthly_token_usage FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY monthly_token_usage_select ON public.monthly_token_usage FOR SELECT TO agent_runtime
              USING (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY monthly_token_usage_insert ON public.monthly_token_usage FOR INSERT TO agent_runtime
              WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY monthly_token_usage_update ON public.monthly_token_usage FOR UPDATE TO agent_runtime
              USING (user_id = (SELECT public.current_user_id())) WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            "GRANT SELECT, INSERT, UPDATE (tokens) ON public.monthly_token_usage TO agent_runtime",
            """
            CREATE FUNCTION public.provider_calls_count_tokens() RETURNS trigger
              LANGUAGE plpgsql
              SET search_path = pg_catalog, public
              AS $$
            DECLARE
              delta bigint := 0;
            BEGIN
              -- A call counts once it is settled; until then its reservation is read from the ledger.
              IF NEW.status <> 'running' THEN
                delta := NEW.prompt_tokens::bigint + NEW.completion_tokens + NEW.reserved_tokens;
              END IF;
              IF TG_OP = 'UPDATE' AND OLD.status <> 'running' THEN
                delta := delta - (OLD.prompt_tokens::bigint + OLD.completion_tokens + OLD.reserved_tokens);
              END IF;
              IF delta <> 0 THEN
                INSERT INTO public.monthly_token_usage AS u (user_id, month, tokens)
                VALUES (NEW.user_id, date_trunc('month', NEW.started_at AT TIME ZONE 'UTC')::date, delta)
                ON CONFLICT (user_id, month) DO UPDATE SET tokens = u.tokens + EXCLUDED.tokens;
              END IF;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER provider_calls_count_inserted AFTER INSERT ON public.provider_calls
              FOR EACH ROW WHEN (NEW.status <> 'running') EXECUTE FUNCTION public.provider_calls_count_tokens()
            """,
            """
            CREATE TRIGGER provider_calls_count_settled
              AFTER UPDATE OF status, prompt_tokens, completion_tokens, reserved_tokens ON public.provider_calls
              FOR EACH ROW WHEN (OLD.status <> 'running' OR NEW.status <> 'running')
              EXECUTE FUNCTION public.provider_calls_count_tokens()
            """,
            """
            CREATE OR REPLACE FUNCTION public.start_provider_call(
                p_agent_id text, p_message_id text, p_model text, p_attempt integer, p_reserved_tokens integer,
                p_monthly_token_budget bigint, p_requests_per_minute integer,
                p_key_connection_id text, p_key_purpose text, p_request_id text)
              RETURNS TABLE (call_id text, refused_by text, retry_after bigint, sealed_key text)
              LANGUAGE plpgsql VOLATILE
              SET search_path = pg_catalog, public
              AS $$
            DECLARE
              tenant text := public.current_user_id();
              spent bigint;
              recent bigint;
              oldest timestamptz;
            BEGIN
              IF tenant IS NULL THEN
                RETURN;
              END IF;
              IF p_monthly_token_budget IS NOT NULL OR p_requests_per_minute IS NOT NULL THEN
                -- Serializes the tenant's starts until the transaction ends: two concurrent starts cannot both
                -- see the same unspent budget.
                PERFORM pg_advisory_xact_lock(hashtextextended('chat-limits:' || tenant, 0));
                IF p_requests_per_minute IS NOT NULL AND p_attempt = 1 THEN
                  SELECT count(*), min(c.started_at) INTO recent, oldest FROM public.provider_calls c
                   WHERE c.user_id = tenant AND c.attempt = 1 AND c.started_at > clock_timestamp() - interval '1 minute';
                  IF recent >= p_requests_per_minute THEN
                    RETURN QUERY SELECT NULL::text, 'requests_per_minute'::text,
                      greatest(1, coalesce(ceil(extract(epoch FROM oldest + interval '1 minute' - clock_timestamp()))::bigint, 60)),
                      NULL::text;
                    RETURN;
                  END IF;
                END IF;
                IF p_monthly_token_budget IS NOT NULL THEN
                  SELECT coalesce(max(u.tokens), 0) INTO spent FROM public.monthly_token_usage u
                   WHERE u.user_id = tenant AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date;
                  SELECT spent + coalesce(sum(c.prompt_tokens + c.completion_tokens + c.reserved_tokens), 0) INTO spent
                    FROM public.provider_calls c
                   WHERE c.user_id = tenant AND c.status = 'running'
                     AND c.started_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
                  IF spent + p_reserved_tokens > p_monthly_token_budget THEN
                    RETURN QUERY SELECT NULL::text, 'monthly_token_budget'::text,
                      greatest(1, ceil(extract(epoch FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')
                                                          - (now() AT TIME ZONE 'UTC')))::bigint),
                      NULL::text;
                    RETURN;
                  END IF;
                END IF;
              END IF;
              INSERT INTO public.provider_calls (user_id, agent_id, message_id, model, attempt, reserved_tokens)
              VALUES (tenant, p_agent_id, p_message_id, p_model, p_attempt, p_reserved_tokens)
              RETURNING id INTO call_id;
              IF p_key_connection_id IS NOT NULL THEN
                SELECT c.api_key INTO sealed_key FROM public.api_connections c
                 WHERE c.id = p_key_connection_id AND c.user_id = tenant;
                IF sealed_key IS NOT NULL THEN
                  INSERT INTO public.audit_log (tenant_id, actor, action, target_type, target_id, request_id, details)
                  VALUES (tenant, 'user:' || tenant, 'connection.opened', 'connection', p_key_connection_id, p_request_id,
                          jsonb_build_object('purpose', p_key_purpose, 'message_id', p_message_id));
                END IF;
              END IF;
              RETURN NEXT;
            END
            $$
            """,
        ],
        down: [
            """
            CREATE OR REPLACE FUNCTION public.start_provider_call(
                p_agent_id text, p_message_id text, p_model text, p_attempt integer, p_reserved_tokens integer,
                p_monthly_token_budget bigint, p_requests_per_minute integer,
                p_key_connection_id text, p_key_purpose text, p_request_id text)
              RETURNS TABLE (call_id text, refused_by text, retry_after bigint, sealed_key text)
              LANGUAGE plpgsql VOLATILE
              SET search_path = pg_catalog, public
              AS $$
            DECLARE
              tenant text := public.current_user_id();
              spent bigint;
              recent bigint;
              oldest timestamptz;
            BEGIN
              IF tenant IS NULL THEN
                RETURN;
              END IF;
              IF p_monthly_token_budget IS NOT NULL OR p_requests_per_minute IS NOT NULL THEN
                -- Serializes the tenant's starts until the transaction ends: two concurrent starts cannot both
                -- see the same unspent budget.
                PERFORM pg_advisory_xact_lock(hashtextextended('chat-limits:' || tenant, 0));
                IF p_requests_per_minute IS NOT NULL AND p_attempt = 1 THEN
                  SELECT count(*), min(c.started_at) INTO recent, oldest FROM public.provider_calls c
                   WHERE c.user_id = tenant AND c.attempt = 1 AND c.started_at > clock_timestamp() - interval '1 minute';
                  IF recent >= p_requests_per_minute THEN
                    RETURN QUERY SELECT NULL::text, 'requests_per_minute'::text,
                      greatest(1, coalesce(ceil(extract(epoch FROM oldest + interval '1 minute' - clock_timestamp()))::bigint, 60)),
                      NULL::text;
                    RETURN;
                  END IF;
                END IF;
                IF p_monthly_token_budget IS NOT NULL THEN
                  SELECT coalesce(sum(c.prompt_tokens + c.completion_tokens + c.reserved_tokens), 0)::bigint INTO spent
                    FROM public.provider_calls c
                   WHERE c.user_id = tenant AND c.started_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
                  IF spent + p_reserved_tokens > p_monthly_token_budget THEN
                    RETURN QUERY SELECT NULL::text, 'monthly_token_budget'::text,
                      greatest(1, ceil(extract(epoch FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')
                                                          - (now() AT TIME ZONE 'UTC')))::bigint),
                      NULL::text;
                    RETURN;
                  END IF;
                END IF;
              END IF;
              INSERT INTO public.provider_calls (user_id, agent_id, message_id, model, attempt, reserved_tokens)
              VALUES (tenant, p_agent_id, p_message_id, p_model, p_attempt, p_reserved_tokens)
              RETURNING id INTO call_id;
              IF p_key_connection_id IS NOT NULL THEN
                SELECT c.api_key INTO sealed_key FROM public.api_connections c
                 WHERE c.id = p_key_connection_id AND c.user_id = tenant;
                IF sealed_key IS NOT NULL THEN
                  INSERT INTO public.audit_log (tenant_id, actor, action, target_type, target_id, request_id, details)
                  VALUES (tenant, 'user:' || tenant, 'connection.opened', 'connection', p_key_connection_id, p_request_id,
                          jsonb_build_object('purpose', p_key_purpose, 'message_id', p_message_id));
                END IF;
              END IF;
              RETURN NEXT;
            END
            $$
            """,
            "DROP TRIGGER provider_calls_count_settled ON public.provider_calls",
            "DROP TRIGGER provider_calls_count_inserted ON public.provider_calls",
            "DROP FUNCTION public.provider_calls_count_tokens()",
            "DROP TABLE public.monthly_token_usage",
            """
            CREATE OR REPLACE FUNCTION public.new_time_ordered_id() RETURNS text
              LANGUAGE sql VOLATILE PARALLEL SAFE
              SET search_path = pg_catalog, public
              AS $$
                SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                  PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                  FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid::text
              $$
            """,
        ]
    )
}
