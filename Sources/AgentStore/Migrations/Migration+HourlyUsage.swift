extension Migration {
    /// `/v1/usage` and the console's usage page read hourly totals instead of summing the ledger.
    ///
    /// Summing a tenant's calls of 30 days read every one of them: with 300,000 calls in the month (10,000 a
    /// day), 0.53 s by day and 0.25 s by model, and the console's usage page asks for both.
    ///
    /// - `provider_call_hours (user_id, hour, agent_id, model, ...)`: the requests, failed requests, tokens
    ///   and estimated requests of each tenant's calls by UTC hour (of their start), agent and model, kept by
    ///   a trigger on `provider_calls` and filled from it here. A report reads the whole hours of its range
    ///   here and the parts of an hour at either end from the ledger, which stays the bill.
    /// - A call is added once it is settled by the platform, as the monthly counter is (migration 14): starts
    ///   do not touch the totals, so concurrent starts of one tenant do not queue on a row of them. A report
    ///   reads the calls still running from the ledger (the index of running calls holds them), and the calls
    ///   the operator settled as interrupted too (migration 15: that role may change the ledger's status and
    ///   nothing of these totals; a partial index holds those calls, rare by design).
    /// - The totals go with their account, as the ledger's rows do.
    ///
    /// The trigger is created before the totals are filled: it waits for the ledger's writes under way and
    /// holds off new ones until this migration commits, so that no call is counted twice or missed.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let hourlyUsage = Migration(
        version: 27,
        name: "usage reports read hourly totals",
        up: [
            """
            CREATE TABLE public.provider_call_hours (
              user_id text NOT NULL DEFAULT public.current_user_id()
                REFERENCES public.users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              hour timestamptz NOT NULL,
              agent_id text NOT NULL,
              model text NOT NULL,
              requests bigint NOT NULL,
              failed_requests bigint NOT NULL,
              prompt_tokens bigint NOT NULL,
              completion_tokens bigint NOT NULL,
              estimated_requests bigint NOT NULL,
              PRIMARY KEY (user_id, hour, agent_id, model)
            )
            """,
            "ALTER TABLE public.provider_call_hours ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE public.provider_call_hours FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY provider_call_hours_select ON public.provider_call_hours FOR SELECT TO agent_runtime
              USING (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY provider_call_hours_insert ON public.provider_call_hours FOR INSERT TO agent_runtime
              WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY provider_call_hours_update ON public.provider_call_hours FOR UPDATE TO agent_runtime
              USING (user_id = (SELECT public.current_user_id())) WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            """
            GRANT SELECT, INSERT, UPDATE (requests, failed_requests, prompt_tokens, completion_tokens, estimated_requests)
               ON public.provider_call_hours TO agent_runtime
            """,
            """
            CREATE FUNCTION public.provider_calls_roll_up() RETURNS trigger
              LANGUAGE plpgsql
              SET search_path = pg_catalog, public
              AS $$
            DECLARE
              old_counted boolean := false;
              new_counted boolean := NEW.status <> 'running' AND NEW.error IS DISTINCT FROM 'reply-interrupted';
              old_hour timestamptz;
              new_hour timestamptz := date_trunc('hour', NEW.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
            BEGIN
              IF TG_OP = 'UPDATE' THEN
                old_counted := OLD.status <> 'running' AND OLD.error IS DISTINCT FROM 'reply-interrupted';
                old_hour := date_trunc('hour', OLD.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
              END IF;
              -- A call that changes once counted (rare: a settlement settles a running call) is taken out of its
              -- hour as it was and added as it is.
              IF old_counted THEN
                UPDATE public.provider_call_hours h
                   SET requests = h.requests - 1, failed_requests = h.failed_requests - (OLD.status = 'failed')::integer,
                       prompt_tokens = h.prompt_tokens - OLD.prompt_tokens,
                       completion_tokens = h.completion_tokens - OLD.completion_tokens,
                       estimated_requests = h.estimated_requests - OLD.usage_estimated::integer
                 WHERE h.user_id = OLD.user_id AND h.hour = old_hour AND h.agent_id = OLD.agent_id AND h.model = OLD.model;
              END IF;
              IF new_counted THEN
                INSERT INTO public.provider_call_hours AS h
                  (user_id, hour, agent_id, model, requests, failed_requests, prompt_tokens, completion_tokens, estimated_requests)
                VALUES (NEW.user_id, new_hour, NEW.agent_id, NEW.model, 1, (NEW.status = 'failed')::integer,
                        NEW.prompt_tokens, NEW.completion_tokens, NEW.usage_estimated::integer)
                ON CONFLICT (user_id, hour, agent_id, model) DO UPDATE
                  SET requests = h.requests + 1, failed_requests = h.failed_requests + EXCLUDED.failed_requests,
                      prompt_tokens = h.prompt_tokens + EXCLUDED.prompt_tokens,
                      completion_tokens = h.completion_tokens + EXCLUDED.completion_tokens,
                      estimated_requests = h.estimated_requests + EXCLUDED.estimated_requests;
              END IF;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER provider_calls_roll_up_inserted AFTER INSERT ON public.provider_calls
              FOR EACH ROW WHEN (NEW.status <> 'running' AND NEW.error IS DISTINCT FROM 'reply-interrupted')
              EXECUTE FUNCTION public.provider_calls_roll_up()
            """,
            """
            CREATE TRIGGER provider_calls_roll_up_settled
              AFTER UPDATE OF status, error, prompt_tokens, completion_tokens, usage_estimated, started_at, agent_id, model
              ON public.provider_calls
              FOR EACH ROW WHEN ((OLD.status <> 'running' AND OLD.error IS DISTINCT FROM 'reply-interrupted')
                                 OR (NEW.status <> 'running' AND NEW.error IS DISTINCT FROM 'reply-interrupted'))
              EXECUTE FUNCTION public.provider_calls_roll_up()
            """,
            """
            INSERT INTO public.provider_call_hours
              (user_id, hour, agent_id, model, requests, failed_requests, prompt_tokens, completion_tokens, estimated_requests)
            SELECT c.user_id, date_trunc('hour', c.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', c.agent_id, c.model,
                   count(*), count(*) FILTER (WHERE c.status = 'failed'), sum(c.prompt_tokens), sum(c.completion_tokens),
                   count(*) FILTER (WHERE c.usage_estimated)
              FROM public.provider_calls c
             WHERE c.status <> 'running' AND c.error IS DISTINCT FROM 'reply-interrupted'
             GROUP BY 1, 2, 3, 4
            """,
            """
            CREATE INDEX provider_calls_interrupted_idx ON public.provider_calls (user_id, started_at)
              WHERE error = 'reply-interrupted'
            """,
        ],
        down: [
            "DROP INDEX public.provider_calls_interrupted_idx",
            "DROP TRIGGER provider_calls_roll_up_settled ON public.provider_calls",
            "DROP TRIGGER provider_calls_roll_up_inserted ON public.provider_calls",
            "DROP FUNCTION public.provider_calls_roll_up()",
            "DROP TABLE public.provider_call_hours",
        ])
}
