extension Migration {
    /// The seed's tables, columns, defaults, indexes and cascades, with what the seed got wrong fixed:
    ///
    /// - every tenant row carries its tenant (`user_id`, or `owner_id` where `user_id` is the author), and
    ///   composite foreign keys such as `(agent_id, owner_id) REFERENCES agents (id, user_id)` make a row that
    ///   points across tenants impossible to write (foreign-key checks ignore row-level security);
    /// - policies are per command, equality on an indexed column of the row, with the tenant read once per
    ///   query through `(SELECT current_user_id())`, so they cost almost nothing;
    /// - row-level security is enabled and forced on every tenant table, `users` included, and the runtime
    ///   role owns nothing and holds only the grants it needs;
    /// - check constraints, database-maintained `updated_at`, time-ordered ids, an index that serves a
    ///   conversation page in order, and a per-conversation summary so listing conversations does not
    ///   scan an agent's messages.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test: databases that applied it compare checksums.
    static let initialSchema = Migration(
        version: 1,
        name: "initial schema",
        up: [
            // MARK: Roles (cluster-wide; created once, kept by `down`)
            """
            DO $$ BEGIN
              CREATE ROLE agent_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """,
            """
            DO $$ BEGIN
              CREATE ROLE agent_operator NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$
            """,
            "GRANT USAGE ON SCHEMA public TO agent_runtime, agent_operator",
            // Readiness checks read the schema version as the runtime role.
            "GRANT SELECT ON schema_migrations TO agent_runtime",

            // MARK: Functions
            // An unset or empty context yields NULL, and NULL equals nothing: no rows seen, none written.
            """
            CREATE FUNCTION current_user_id() RETURNS text
              LANGUAGE sql STABLE PARALLEL SAFE
              AS $$ SELECT NULLIF(current_setting('app.current_user_id', true), '') $$
            """,
            // UUIDv7 as text: time-ordered, so inserts land at the right edge of the index.
            """
            CREATE FUNCTION new_time_ordered_id() RETURNS text
              LANGUAGE sql VOLATILE PARALLEL SAFE
              AS $$
                SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                  PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                  FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid::text
              $$
            """,
            """
            CREATE FUNCTION touch_updated_at() RETURNS trigger
              LANGUAGE plpgsql
              AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$
            """,

            // MARK: users
            """
            CREATE TABLE users (
              id text PRIMARY KEY DEFAULT new_time_ordered_id()
                CONSTRAINT users_id_format CHECK (length(id) BETWEEN 1 AND 128 AND id !~ '[[:cntrl:][:space:]]'),
              email text NOT NULL
                CONSTRAINT users_email_format CHECK (length(email) BETWEEN 3 AND 320 AND email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
              display_name text CONSTRAINT users_display_name_length CHECK (length(display_name) <= 200),
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE UNIQUE INDEX users_email_key ON users (lower(email))",

            // MARK: agents
            """
            CREATE TABLE agents (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              name text NOT NULL CONSTRAINT agents_name_length CHECK (length(name) BETWEEN 1 AND 200),
              description text CONSTRAINT agents_description_length CHECK (length(description) <= 2000),
              system_prompt text NOT NULL CONSTRAINT agents_system_prompt_length CHECK (length(system_prompt) <= 100000),
              model text NOT NULL DEFAULT 'gpt-3.5-turbo' CONSTRAINT agents_model_length CHECK (length(model) BETWEEN 1 AND 200),
              temperature numeric NOT NULL DEFAULT 0.7 CONSTRAINT agents_temperature_range CHECK (temperature BETWEEN 0 AND 2),
              max_tokens integer CONSTRAINT agents_max_tokens_positive CHECK (max_tokens > 0),
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              CONSTRAINT agents_id_user_id_key UNIQUE (id, user_id)
            )
            """,
            // The seed's index names; `user_id` leads, and the order columns serve "my agents, newest first".
            "CREATE INDEX agents_user_id_idx ON agents (user_id, created_at DESC, id DESC)",
            "CREATE INDEX agents_name_idx ON agents (name)",

            // MARK: api_connections
            """
            CREATE TABLE api_connections (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              name text NOT NULL CONSTRAINT api_connections_name_length CHECK (length(name) BETWEEN 1 AND 200),
              service text NOT NULL CONSTRAINT api_connections_service_length CHECK (length(service) BETWEEN 1 AND 100),
              api_key text NOT NULL,
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              metadata jsonb,
              CONSTRAINT api_connections_id_user_id_key UNIQUE (id, user_id)
            )
            """,
            "CREATE INDEX api_connections_user_id_idx ON api_connections (user_id, created_at DESC, id DESC)",
            "CREATE INDEX api_connections_service_idx ON api_connections (service)",

            // MARK: agent_api_connections
            // Both foreign keys include the tenant: a link from A's agent to B's connection cannot exist.
            """
            CREATE TABLE agent_api_connections (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              agent_id text NOT NULL,
              api_connection_id text NOT NULL,
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              user_id text NOT NULL DEFAULT current_user_id(),
              CONSTRAINT agent_api_connections_agent_fkey FOREIGN KEY (agent_id, user_id)
                REFERENCES agents (id, user_id) ON DELETE CASCADE ON UPDATE CASCADE,
              CONSTRAINT agent_api_connections_connection_fkey FOREIGN KEY (api_connection_id, user_id)
                REFERENCES api_connections (id, user_id) ON DELETE CASCADE ON UPDATE CASCADE
            )
            """,
            "CREATE INDEX agent_api_connections_agent_id_idx ON agent_api_connections (agent_id)",
            "CREATE INDEX agent_api_connections_api_connection_id_idx ON agent_api_connections (api_connection_id)",
            "CREATE UNIQUE INDEX agent_api_connections_unique_connection_idx ON agent_api_connections (agent_id, api_connection_id)",

            // MARK: agent_messages
            // `user_id` is the author (as in the seed); `owner_id` is the tenant that owns the agent.
            """
            CREATE TABLE agent_messages (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              agent_id text NOT NULL,
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              role text NOT NULL CONSTRAINT agent_messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
              content text NOT NULL CONSTRAINT agent_messages_content_length CHECK (length(content) <= 1000000),
              created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
              conversation_id text NOT NULL
                CONSTRAINT agent_messages_conversation_id_length CHECK (length(conversation_id) BETWEEN 1 AND 200),
              metadata jsonb,
              owner_id text NOT NULL DEFAULT current_user_id(),
              CONSTRAINT agent_messages_agent_fkey FOREIGN KEY (agent_id, owner_id)
                REFERENCES agents (id, user_id) ON DELETE CASCADE ON UPDATE CASCADE,
              CONSTRAINT agent_messages_id_owner_id_key UNIQUE (id, owner_id)
            )
            """,
            // The seed's name, leading with `agent_id` as the seed's did; the rest serves a conversation page
            // of one agent as one ordered index range. (With separate `agent_id` and `conversation_id`
            // indexes the planner multiplies their selectivities, which are not independent, and sorts.)
            "CREATE INDEX agent_messages_agent_id_idx ON agent_messages (agent_id, conversation_id, created_at, id)",
            "CREATE INDEX agent_messages_user_id_idx ON agent_messages (user_id)",
            // Serves a conversation page in order, at the same cost on page 1 and page 1,000 (keyset).
            "CREATE INDEX agent_messages_conversation_id_idx ON agent_messages (conversation_id, created_at, id)",
            "CREATE INDEX agent_messages_created_at_idx ON agent_messages (created_at)",

            // MARK: agent_conversations (maintained by triggers on agent_messages)
            """
            CREATE TABLE agent_conversations (
              agent_id text NOT NULL,
              conversation_id text NOT NULL,
              owner_id text NOT NULL DEFAULT current_user_id(),
              message_count bigint NOT NULL,
              first_message_at timestamptz NOT NULL,
              last_message_at timestamptz NOT NULL,
              last_message_id text NOT NULL,
              PRIMARY KEY (agent_id, conversation_id),
              CONSTRAINT agent_conversations_agent_fkey FOREIGN KEY (agent_id, owner_id)
                REFERENCES agents (id, user_id) ON DELETE CASCADE ON UPDATE CASCADE
            )
            """,
            "CREATE INDEX agent_conversations_recent_idx ON agent_conversations (agent_id, last_message_at DESC, conversation_id DESC)",
            // Statement-level with transition tables: a bulk insert updates each conversation once.
            """
            CREATE FUNCTION agent_conversations_add() RETURNS trigger
              LANGUAGE plpgsql
              AS $$ BEGIN
                INSERT INTO agent_conversations AS c
                  (agent_id, conversation_id, owner_id, message_count, first_message_at, last_message_at, last_message_id)
                SELECT agent_id, conversation_id, owner_id, count(*), min(created_at), max(created_at),
                       (array_agg(id ORDER BY created_at DESC, id DESC))[1]
                  FROM added GROUP BY agent_id, conversation_id, owner_id
                ON CONFLICT (agent_id, conversation_id) DO UPDATE SET
                  message_count = c.message_count + EXCLUDED.message_count,
                  first_message_at = least(c.first_message_at, EXCLUDED.first_message_at),
                  last_message_id = CASE WHEN (EXCLUDED.last_message_at, EXCLUDED.last_message_id)
                                              > (c.last_message_at, c.last_message_id)
                                         THEN EXCLUDED.last_message_id ELSE c.last_message_id END,
                  last_message_at = greatest(c.last_message_at, EXCLUDED.last_message_at);
                RETURN NULL;
              END $$
            """,
            """
            CREATE FUNCTION agent_conversations_remove() RETURNS trigger
              LANGUAGE plpgsql
              AS $$ BEGIN
                WITH touched AS (SELECT DISTINCT agent_id, conversation_id FROM removed),
                     remaining AS (
                       SELECT t.agent_id, t.conversation_id, s.n, s.first_at, l.id AS last_id, l.created_at AS last_at
                         FROM touched t
                         CROSS JOIN LATERAL (SELECT count(*) AS n, min(m.created_at) AS first_at FROM agent_messages m
                                              WHERE m.conversation_id = t.conversation_id AND m.agent_id = t.agent_id) s
                         LEFT JOIN LATERAL (SELECT m.id, m.created_at FROM agent_messages m
                                             WHERE m.conversation_id = t.conversation_id AND m.agent_id = t.agent_id
                                             ORDER BY m.created_at DESC, m.id DESC LIMIT 1) l ON true
                     ),
                     emptied AS (
                       DELETE FROM agent_conversations c USING remaining r
                        WHERE c.agent_id = r.agent_id AND c.conversation_id = r.conversation_id AND r.n = 0
                     )
                UPDATE agent_conversations c
                   SET message_count = r.n, first_message_at = r.first_at, last_message_at = r.last_at, last_message_id = r.last_id
                  FROM remaining r
                 WHERE c.agent_id = r.agent_id AND c.conversation_id = r.conversation_id AND r.n > 0;
                RETURN NULL;
              END $$
            """,
            """
            CREATE TRIGGER agent_messages_summarize_insert AFTER INSERT ON agent_messages
              REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION agent_conversations_add()
            """,
            """
            CREATE TRIGGER agent_messages_summarize_delete AFTER DELETE ON agent_messages
              REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION agent_conversations_remove()
            """,

            // MARK: agent_feedback
            // The composite key ties feedback to a message of the same tenant; `agent_id` is filled from the
            // message so an agent's feedback can be listed without joining its messages.
            """
            CREATE TABLE agent_feedback (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              message_id text NOT NULL,
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              rating integer NOT NULL CONSTRAINT agent_feedback_rating_check CHECK (rating IN (0, 1)),
              comment text CONSTRAINT agent_feedback_comment_length CHECK (length(comment) <= 10000),
              created_at timestamptz NOT NULL DEFAULT now(),
              updated_at timestamptz NOT NULL DEFAULT now(),
              owner_id text NOT NULL DEFAULT current_user_id(),
              agent_id text,
              CONSTRAINT agent_feedback_message_fkey FOREIGN KEY (message_id, owner_id)
                REFERENCES agent_messages (id, owner_id) ON DELETE CASCADE ON UPDATE CASCADE,
              CONSTRAINT agent_feedback_one_per_user UNIQUE (message_id, user_id)
            )
            """,
            "CREATE INDEX agent_feedback_message_id_idx ON agent_feedback (message_id)",
            "CREATE INDEX agent_feedback_user_id_idx ON agent_feedback (user_id, created_at DESC, id DESC)",
            // With both sides of the read policy (`user_id = t OR owner_id = t`) indexed, a query scoped by the
            // policy alone ("my recent feedback") is a BitmapOr. Not done for messages: there, the planner
            // preferred that BitmapOr to the conversation index, costing 20x on large tenants.
            "CREATE INDEX agent_feedback_owner_id_idx ON agent_feedback (owner_id, created_at DESC)",
            "CREATE INDEX agent_feedback_agent_id_idx ON agent_feedback (agent_id, created_at DESC, id DESC)",
            """
            CREATE FUNCTION agent_feedback_fill_agent() RETURNS trigger
              LANGUAGE plpgsql
              AS $$ BEGIN
                SELECT m.agent_id INTO NEW.agent_id FROM agent_messages m
                 WHERE m.id = NEW.message_id AND m.owner_id = NEW.owner_id;
                RETURN NEW;
              END $$
            """,
            """
            CREATE TRIGGER agent_feedback_fill_agent BEFORE INSERT ON agent_feedback
              FOR EACH ROW EXECUTE FUNCTION agent_feedback_fill_agent()
            """,

            // MARK: updated_at, maintained by the database
            "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
            "CREATE TRIGGER agents_touch BEFORE UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
            "CREATE TRIGGER api_connections_touch BEFORE UPDATE ON api_connections FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
            "CREATE TRIGGER agent_api_connections_touch BEFORE UPDATE ON agent_api_connections FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
            "CREATE TRIGGER agent_feedback_touch BEFORE UPDATE ON agent_feedback FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",

            // MARK: Row-level security, frozen as the SQL first applied
            // One policy per command for the runtime role, each an equality between an indexed column of
            // the row and the tenant read once per query.
            "ALTER TABLE users ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE users FORCE ROW LEVEL SECURITY",
            "CREATE POLICY users_select ON users FOR SELECT TO agent_runtime USING (id = (SELECT current_user_id()))",
            "CREATE POLICY users_insert ON users FOR INSERT TO agent_runtime WITH CHECK (id = (SELECT current_user_id()))",
            "CREATE POLICY users_update ON users FOR UPDATE TO agent_runtime USING (id = (SELECT current_user_id())) WITH CHECK (id = (SELECT current_user_id()))",
            "CREATE POLICY users_delete ON users FOR DELETE TO agent_runtime USING (id = (SELECT current_user_id()))",
            "ALTER TABLE agents ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE agents FORCE ROW LEVEL SECURITY",
            "CREATE POLICY agents_select ON agents FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agents_insert ON agents FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agents_update ON agents FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agents_delete ON agents FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "ALTER TABLE api_connections ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE api_connections FORCE ROW LEVEL SECURITY",
            "CREATE POLICY api_connections_select ON api_connections FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_connections_insert ON api_connections FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_connections_update ON api_connections FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_connections_delete ON api_connections FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "ALTER TABLE agent_api_connections ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE agent_api_connections FORCE ROW LEVEL SECURITY",
            "CREATE POLICY agent_api_connections_select ON agent_api_connections FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_api_connections_insert ON agent_api_connections FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_api_connections_update ON agent_api_connections FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_api_connections_delete ON agent_api_connections FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "ALTER TABLE agent_conversations ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE agent_conversations FORCE ROW LEVEL SECURITY",
            "CREATE POLICY agent_conversations_select ON agent_conversations FOR SELECT TO agent_runtime USING (owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_conversations_insert ON agent_conversations FOR INSERT TO agent_runtime WITH CHECK (owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_conversations_update ON agent_conversations FOR UPDATE TO agent_runtime USING (owner_id = (SELECT current_user_id())) WITH CHECK (owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_conversations_delete ON agent_conversations FOR DELETE TO agent_runtime USING (owner_id = (SELECT current_user_id()))",
            // Visible to the author and to the agent's owner (the seed's rule); written only as yourself, into
            // your own agent.
            "ALTER TABLE agent_messages ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE agent_messages FORCE ROW LEVEL SECURITY",
            "CREATE POLICY agent_messages_select ON agent_messages FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()) OR owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_messages_insert ON agent_messages FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_messages_update ON agent_messages FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_messages_delete ON agent_messages FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",
            "ALTER TABLE agent_feedback ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE agent_feedback FORCE ROW LEVEL SECURITY",
            "CREATE POLICY agent_feedback_select ON agent_feedback FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()) OR owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_feedback_insert ON agent_feedback FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_feedback_update ON agent_feedback FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",
            "CREATE POLICY agent_feedback_delete ON agent_feedback FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()) AND owner_id = (SELECT current_user_id()))",

            // MARK: Grants: only what the runtime needs. Column grants keep ids, tenants and
            // conversations immutable, so no row can be moved.
            "GRANT SELECT, INSERT, DELETE ON users, agents, api_connections, agent_api_connections, agent_messages, agent_feedback TO agent_runtime",
            "GRANT UPDATE (email, display_name) ON users TO agent_runtime",
            "GRANT UPDATE (name, description, system_prompt, model, temperature, max_tokens, updated_at) ON agents TO agent_runtime",
            "GRANT UPDATE (name, service, api_key, metadata, updated_at) ON api_connections TO agent_runtime",
            "GRANT UPDATE (updated_at) ON agent_api_connections TO agent_runtime",
            "GRANT UPDATE (content, metadata) ON agent_messages TO agent_runtime",
            "GRANT UPDATE (rating, comment, updated_at) ON agent_feedback TO agent_runtime",
            // The summary triggers run as the caller, inside the caller's own tenant.
            "GRANT SELECT, INSERT, UPDATE, DELETE ON agent_conversations TO agent_runtime",
        ],
        down: [
            "DROP TABLE agent_feedback",
            "DROP TABLE agent_conversations",
            "DROP TABLE agent_messages",
            "DROP TABLE agent_api_connections",
            "DROP TABLE api_connections",
            "DROP TABLE agents",
            "DROP TABLE users",
            "DROP FUNCTION agent_feedback_fill_agent()",
            "DROP FUNCTION agent_conversations_add()",
            "DROP FUNCTION agent_conversations_remove()",
            "DROP FUNCTION touch_updated_at()",
            "DROP FUNCTION new_time_ordered_id()",
            "DROP FUNCTION current_user_id()",
            "REVOKE USAGE ON SCHEMA public FROM agent_runtime, agent_operator",
        ]
    )
}
