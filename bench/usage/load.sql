-- 300,000 calls of one tenant over 30 days (10,000 a day), entered with the triggers off, then the hourly
-- totals filled as migration 27 fills them (report.sql then reads the 30-day report both ways).
\set ON_ERROR_STOP on
\timing on
ALTER TABLE provider_calls DISABLE TRIGGER USER;
INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, prompt_tokens, completion_tokens, started_at)
SELECT :'user', 'agent-' || (g % 4), 'model-' || (g % 3), 1, CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'complete' END,
       100 + g % 7, 50 + g % 11, now() - (g * interval '8.64 seconds')
  FROM generate_series(1, 300000) g;
ALTER TABLE provider_calls ENABLE TRIGGER USER;
INSERT INTO public.provider_call_hours
  (user_id, hour, agent_id, model, requests, failed_requests, prompt_tokens, completion_tokens, estimated_requests)
SELECT c.user_id, date_trunc('hour', c.started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', c.agent_id, c.model,
       count(*), count(*) FILTER (WHERE c.status = 'failed'), sum(c.prompt_tokens), sum(c.completion_tokens),
       count(*) FILTER (WHERE c.usage_estimated)
  FROM public.provider_calls c
 WHERE c.user_id = :'user' AND c.status <> 'running' AND c.error IS DISTINCT FROM 'reply-interrupted'
 GROUP BY 1, 2, 3, 4;
ANALYZE provider_calls;
ANALYZE provider_call_hours;
