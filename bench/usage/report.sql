-- The 30-day usage report of the tenant by day, five times each way, as the runtime role (:user is the tenant).
\set ON_ERROR_STOP on
BEGIN;
SELECT set_config('app.current_user_id', :'user', true);
\timing on
\o /dev/null
\echo summing the ledger, by day
SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*), count(*) FILTER (WHERE status = 'failed'),
       coalesce(sum(prompt_tokens), 0)::bigint, coalesce(sum(completion_tokens), 0)::bigint, count(*) FILTER (WHERE usage_estimated)
  FROM provider_calls WHERE user_id = :'user' AND started_at >= now() - interval '30 days' AND started_at < now() GROUP BY 1 ORDER BY 1 \g
\g
\g
\g
\g
\echo reading the hourly totals, by day
WITH edges AS (
  SELECT date_trunc('hour', ((now() - interval '30 days') - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 hour' AS first,
         date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS last
), hours AS (
  SELECT CASE WHEN first < last THEN first ELSE now() END AS start_at, CASE WHEN first < last THEN last ELSE now() END AS end_at FROM edges
)
SELECT key, sum(requests)::bigint, sum(failed)::bigint, sum(prompt)::bigint, sum(completion)::bigint, sum(estimated)::bigint
  FROM (
    SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS key, requests, failed_requests AS failed, prompt_tokens AS prompt,
           completion_tokens AS completion, estimated_requests AS estimated
      FROM provider_call_hours WHERE user_id = :'user' AND hour >= (SELECT start_at FROM hours) AND hour < (SELECT end_at FROM hours)
    UNION ALL
    SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1, (status = 'failed')::integer, prompt_tokens::bigint, completion_tokens::bigint, usage_estimated::integer
      FROM provider_calls WHERE user_id = :'user' AND started_at >= now() - interval '30 days' AND started_at < (SELECT start_at FROM hours)
    UNION ALL
    SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1, (status = 'failed')::integer, prompt_tokens::bigint, completion_tokens::bigint, usage_estimated::integer
      FROM provider_calls WHERE user_id = :'user' AND started_at >= (SELECT end_at FROM hours) AND started_at < now()
    UNION ALL
    SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1, (status = 'failed')::integer, prompt_tokens::bigint, completion_tokens::bigint, usage_estimated::integer
      FROM provider_calls WHERE user_id = :'user' AND status = 'running' AND started_at >= (SELECT start_at FROM hours) AND started_at < (SELECT end_at FROM hours)
    UNION ALL
    SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1, (status = 'failed')::integer, prompt_tokens::bigint, completion_tokens::bigint, usage_estimated::integer
      FROM provider_calls WHERE user_id = :'user' AND error = 'reply-interrupted' AND status <> 'running' AND started_at >= (SELECT start_at FROM hours) AND started_at < (SELECT end_at FROM hours)
  ) usage GROUP BY 1 ORDER BY 1 \g
\g
\g
\g
\g
COMMIT;
