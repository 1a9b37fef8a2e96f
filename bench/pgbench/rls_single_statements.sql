\set uid random(1, 1000)
\set a random(0, 9)
SELECT id, name FROM bench_tenant_agents('u' || :uid, 20);
SELECT * FROM bench_tenant_messages('u' || :uid, 'conv' || ((:uid - 1) * 100 + :a * 10 + 1), 50);
SELECT * FROM bench_tenant_feedback('u' || :uid, 20);
