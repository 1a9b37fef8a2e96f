extension Migration {
    /// Three corrections to functions of earlier migrations, each found by review:
    ///
    /// - A console session signed in with a personal token ends with it: the session names its token
    ///   (`token_id`), and `authenticate_console_session` refuses it once the token is revoked or expired.
    ///   Before, a session outlived its token by up to `CONSOLE_SESSION_HOURS`, so revoking a leaked token
    ///   did not end a session it had started. (A session's expiry is also capped at its token's, when it
    ///   starts.) Sessions started before this migration, and those of a JSON Web Token, name none.
    /// - `start_provider_call` reads the month's settled tokens and the running calls' in one statement. In
    ///   two, each with its own snapshot, a call settled between them counted in neither, and a start could
    ///   be admitted past the budget by that call's tokens.
    /// - `authenticate_token(user, hash, accepted_scopes)` with NULL scopes accepts none (it kept the tenant
    ///   set: `NOT (granted && NULL)` is NULL). No caller passes NULL; the function no longer depends on it.
    ///
    /// Adding a nullable column without a default to `console_sessions` rewrites nothing. Frozen as
    /// literal SQL, its checksum pinned by a test.
    static let reviewedChecks = Migration(
        version: 17,
        name: "console sessions end with their token; one snapshot for the budget; NULL scopes accept none",
        up: [
            "ALTER TABLE console_sessions ADD COLUMN token_id text REFERENCES api_tokens (id) ON DELETE CASCADE",
            "CREATE INDEX console_sessions_token_id_idx ON console_sessions (token_id) WHERE token_id IS NOT NULL",
            """
            CREATE OR REPLACE FUNCTION public.authenticate_console_session(claimed_user_id text, presented_hash bytea) RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT s.scopes INTO granted FROM public.console_sessions s
               WHERE s.session_hash = presented_hash AND s.user_id = claimed_user_id AND s.ended_at IS NULL
                 AND s.expires_at > pg_catalog.now()
                 AND (s.token_id IS NULL
                      OR EXISTS (SELECT 1 FROM public.api_tokens t
                                  WHERE t.id = s.token_id AND t.user_id = claimed_user_id AND t.revoked_at IS NULL
                                    AND (t.expires_at IS NULL OR t.expires_at > pg_catalog.now())));
              IF granted IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
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
                  -- One statement, so one snapshot: the settled counter and the running calls are read at
                  -- the same instant. In two, a call settled between them was in neither.
                  SELECT coalesce((SELECT max(u.tokens) FROM public.monthly_token_usage u
                                    WHERE u.user_id = tenant AND u.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0)
                         + coalesce((SELECT sum(c.prompt_tokens + c.completion_tokens + c.reserved_tokens)
                                       FROM public.provider_calls c
                                      WHERE c.user_id = tenant AND c.status = 'running'
                                        AND c.started_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)
                    INTO spent;
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
            """
            CREATE OR REPLACE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea, accepted_scopes text[])
              RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              token_id text;
              used_at timestamptz;
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT t.id, t.last_used_at, t.scopes INTO token_id, used_at, granted FROM public.api_tokens t
               WHERE t.token_hash OPERATOR(pg_catalog.=) presented_hash AND t.user_id OPERATOR(pg_catalog.=) claimed_user_id
                 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
              IF token_id IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN NULL;
              END IF;
              -- Recording each use at most once a minute keeps authentication from writing on most requests.
              IF used_at IS NULL OR used_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 minute') THEN
                UPDATE public.api_tokens SET last_used_at = pg_catalog.now() WHERE id OPERATOR(pg_catalog.=) token_id;
              END IF;
              -- NULL scopes accept none: `NOT (granted && NULL)` is NULL, which would have kept the tenant.
              IF accepted_scopes IS NULL OR NOT (granted OPERATOR(pg_catalog.&&) accepted_scopes) THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
            """,
        ],
        down: [
            """
            CREATE OR REPLACE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea, accepted_scopes text[])
              RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              token_id text;
              used_at timestamptz;
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT t.id, t.last_used_at, t.scopes INTO token_id, used_at, granted FROM public.api_tokens t
               WHERE t.token_hash OPERATOR(pg_catalog.=) presented_hash AND t.user_id OPERATOR(pg_catalog.=) claimed_user_id
                 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
              IF token_id IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN NULL;
              END IF;
              -- Recording each use at most once a minute keeps authentication from writing on most requests.
              IF used_at IS NULL OR used_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 minute') THEN
                UPDATE public.api_tokens SET last_used_at = pg_catalog.now() WHERE id OPERATOR(pg_catalog.=) token_id;
              END IF;
              IF NOT (granted OPERATOR(pg_catalog.&&) accepted_scopes) THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
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
            """
            CREATE OR REPLACE FUNCTION public.authenticate_console_session(claimed_user_id text, presented_hash bytea) RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT s.scopes INTO granted FROM public.console_sessions s
               WHERE s.session_hash = presented_hash AND s.user_id = claimed_user_id AND s.ended_at IS NULL
                 AND s.expires_at > pg_catalog.now();
              IF granted IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
            """,
            "DROP INDEX console_sessions_token_id_idx",
            "ALTER TABLE console_sessions DROP COLUMN token_id",
        ]
    )
}
