-- 300,000 calls of one tenant over 30 days (10,000 a day), entered with the triggers off (the monthly
-- counter's would take minutes for so many rows at once); migration 27, applied next, fills the totals.
\set ON_ERROR_STOP on
\timing on
ALTER TABLE provider_calls DISABLE TRIGGER USER;
INSERT INTO provider_calls (user_id, agent_id, model, attempt, status, prompt_tokens, completion_tokens, started_at)
SELECT :'user', 'agent-' || (g % 4), 'model-' || (g % 3), 1, CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'complete' END,
       100 + g % 7, 50 + g % 11, now() - (g * interval '8.64 seconds')
  FROM generate_series(1, 300000) g;
ALTER TABLE provider_calls ENABLE TRIGGER USER;
ANALYZE provider_calls;
