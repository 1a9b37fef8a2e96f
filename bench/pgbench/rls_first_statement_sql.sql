\set uid random(1, 1000)
\set a random(0, 9)
BEGIN;
SELECT id, name FROM bench_tenant_agents_sql('u' || :uid, 20);
SELECT * FROM agent_messages WHERE user_id = 'u' || :uid AND conversation_id = 'conv' || ((:uid - 1) * 100 + :a * 10 + 1) ORDER BY created_at LIMIT 50;
SELECT * FROM agent_feedback WHERE user_id = 'u' || :uid ORDER BY created_at DESC LIMIT 20;
COMMIT;
