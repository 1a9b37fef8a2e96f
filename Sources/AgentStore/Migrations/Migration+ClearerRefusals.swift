import Foundation

extension Migration {
    /// `start_provider_call` says no wait where none helps, and the right one where a limit was lowered;
    ///
    /// - A reservation larger than the whole monthly budget (a long prompt with a large `max_tokens`, or a
    ///   budget of 0) fits in no month; it said to retry next month. Its `retry_after` is now null.
    /// - A per-minute limit of 0 lets no call through; it said to retry within the minute. Null too.
    /// - Under a per-minute limit lowered below the calls of the last minute, one more fits only once all
    ///   but limit - 1 of them have aged out; it said to retry when the oldest had, and was refused again.
    ///
    /// And `start_completion` reserves what migration 18 meant it to: the client's prompt, plus the system
    /// prompt's estimate, plus `max_tokens`. `OPERATOR(pg_catalog.+)` and `OPERATOR(pg_catalog./)` bind
    /// alike, left to right, so its sum divided the client's prompt by 4 too, reserving a quarter of it.
    ///
    /// And the monthly token counters are counted again from the ledger, with settlements held off. Migration
    /// 14 filled them while calls could still settle (one that settled between its count and its triggers
    /// was never counted), and a migrator that row-level security filtered counted nothing at all.
    ///
    /// And an index of the replies still streaming, which `serve`'s sweep of interrupted replies reads.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 18's functions.
    static let clearerRefusals = Migration(
        version: 19,
        name: "refusals that no wait lifts say so; a completion reserves its whole prompt",
        up: [
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
              settled bigint;
              running bigint;
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
                    -- One more fits once all but limit - 1 of the minute's calls have aged out: after the
                    -- minute of the (recent - limit + 1)th oldest, not of the oldest, which a lowered limit
                    -- leaves far behind. A limit of 0 lets no call through: no wait is said.
                    IF p_requests_per_minute > 0 THEN
                      SELECT c.started_at INTO oldest FROM public.provider_calls c
                       WHERE c.user_id = tenant AND c.attempt = 1 AND c.started_at > clock_timestamp() - interval '1 minute'
                       ORDER BY c.started_at OFFSET recent - p_requests_per_minute LIMIT 1;
                    END IF;
                    RETURN QUERY SELECT NULL::text, 'requests_per_minute'::text,
                      CASE WHEN p_requests_per_minute > 0 THEN
                        greatest(1, coalesce(ceil(extract(epoch FROM oldest + interval '1 minute' - clock_timestamp()))::bigint, 60))
                      END,
                      NULL::text;
                    RETURN;
                  END IF;
                END IF;
                IF p_monthly_token_budget IS NOT NULL THEN
                  -- One statement, so one snapshot: the settled counter and the running calls are read at
                  -- the same instant. In two, a call settled between them was in neither.
                  SELECT coalesce((SELECT max(u.tokens) FROM public.monthly_token_usage u
                                    WHERE u.user_id = tenant AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0),
                         coalesce((SELECT sum(c.prompt_tokens + c.completion_tokens + c.reserved_tokens)
                                     FROM public.provider_calls c
                                    WHERE c.user_id = tenant AND c.status = 'running'
                                      AND c.started_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)
                    INTO settled, running;
                  IF settled + running + p_reserved_tokens > p_monthly_token_budget THEN
                    -- When only running calls' reservations stand in the way, they are given back within
                    -- seconds, as the calls end: a client is not told to wait for next month.
                    -- A reservation larger than the whole budget never fits, in any month: no wait is said.
                    RETURN QUERY SELECT NULL::text, 'monthly_token_budget'::text,
                      CASE WHEN p_reserved_tokens > p_monthly_token_budget THEN NULL::bigint
                      WHEN settled + p_reserved_tokens <= p_monthly_token_budget THEN 5::bigint
                      ELSE greatest(1, ceil(extract(epoch FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')
                                                              - (now() AT TIME ZONE 'UTC')))::bigint)
                      END,
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
                least(p_prompt_tokens::bigint
                        OPERATOR(pg_catalog.+) ((pg_catalog.octet_length(subject.system_prompt) OPERATOR(pg_catalog.+) 3)
                                                OPERATOR(pg_catalog./) 4)
                        OPERATOR(pg_catalog.+) maximum_tokens, 2147483647)::integer,
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
            // No call settles while the counters are recounted (a settlement's trigger adds to them).
            "LOCK TABLE public.provider_calls IN SHARE ROW EXCLUSIVE MODE",
            "DELETE FROM public.monthly_token_usage",
            """
            INSERT INTO public.monthly_token_usage (user_id, month, tokens)
            SELECT c.user_id, date_trunc('month', c.started_at AT TIME ZONE 'UTC')::date,
                   sum(c.prompt_tokens::bigint + c.completion_tokens + c.reserved_tokens)
              FROM public.provider_calls c
             WHERE c.status <> 'running'
             GROUP BY 1, 2
            """,
            // The replies still streaming, for the sweep of what a stopped instance left running (`serve` runs
            // it every minute): without it, each sweep read every message older than its cutoff.
            "CREATE INDEX agent_messages_streaming_idx ON public.agent_messages (created_at) WHERE status = 'streaming'",
        ],
        down: ["DROP INDEX public.agent_messages_streaming_idx"] + Migration.honestReservations.up
    )
}
