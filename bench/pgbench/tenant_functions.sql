-- Measurement only (bench/pgbench/run.sh, option "tenant in the first statement"): reads that set the
-- tenant themselves, then query, in an order PL/pgSQL guarantees (statements run in sequence). Run as the
-- administrator on the benchmark database; not part of the schema. SECURITY INVOKER (the default), so the
-- policies still apply to the caller.
CREATE OR REPLACE FUNCTION bench_tenant_agents(tenant text, page_size int) RETURNS SETOF agents
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('app.current_user_id', tenant, true);
    RETURN QUERY SELECT * FROM agents WHERE user_id = tenant ORDER BY created_at DESC LIMIT page_size;
END $$;

CREATE OR REPLACE FUNCTION bench_tenant_messages(tenant text, conversation text, page_size int) RETURNS SETOF agent_messages
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('app.current_user_id', tenant, true);
    RETURN QUERY SELECT * FROM agent_messages WHERE user_id = tenant AND conversation_id = conversation
                  ORDER BY created_at LIMIT page_size;
END $$;

CREATE OR REPLACE FUNCTION bench_tenant_feedback(tenant text, page_size int) RETURNS SETOF agent_feedback
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('app.current_user_id', tenant, true);
    RETURN QUERY SELECT * FROM agent_feedback WHERE user_id = tenant ORDER BY created_at DESC LIMIT page_size;
END $$;

-- The same first read as a SQL-language function of two statements: run in order, not inlined (only a
-- single SELECT is), and without the PL/pgSQL interpreter.
CREATE OR REPLACE FUNCTION bench_tenant_agents_sql(tenant text, page_size int) RETURNS SETOF agents
LANGUAGE sql AS $$
    SELECT pg_catalog.set_config('app.current_user_id', tenant, true);
    SELECT * FROM agents WHERE user_id = tenant ORDER BY created_at DESC LIMIT page_size;
$$;
