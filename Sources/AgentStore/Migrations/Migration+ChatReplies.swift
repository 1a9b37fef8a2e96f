extension Migration {
    /// What an agent that answers needs: replies as messages with a status, the model and key that made
    /// them, usage and timing; conversations that exist before their first message and have a title; a
    /// ledger of every provider call under row-level security; and per-tenant limits set by the operator.
    ///
    /// Every new message column has a default or is nullable, so an insert that names only the seed's
    /// columns keeps working and stores a `complete` message. Frozen as literal SQL.
    static let chatReplies = Migration(
        version: 5,
        name: "chat replies, conversation titles, call ledger and limits",
        up: [
            // MARK: agent_messages: replies
            """
            ALTER TABLE agent_messages
              ADD COLUMN parent_id text,
              ADD COLUMN status text NOT NULL DEFAULT 'complete'
                CONSTRAINT agent_messages_status_check CHECK (status IN ('streaming', 'complete', 'failed', 'cancelled')),
              ADD COLUMN model text CONSTRAINT agent_messages_model_length CHECK (length(model) <= 200),
              ADD COLUMN connection_id text CONSTRAINT agent_messages_connection_id_length CHECK (length(connection_id) <= 200),
              ADD COLUMN prompt_tokens integer CONSTRAINT agent_messages_prompt_tokens_check CHECK (prompt_tokens >= 0),
              ADD COLUMN completion_tokens integer CONSTRAINT agent_messages_completion_tokens_check CHECK (completion_tokens >= 0),
              ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false,
              ADD COLUMN latency_ms integer CONSTRAINT agent_messages_latency_check CHECK (latency_ms >= 0),
              ADD COLUMN time_to_first_token_ms integer CONSTRAINT agent_messages_ttft_check CHECK (time_to_first_token_ms >= 0),
              ADD COLUMN finish_reason text CONSTRAINT agent_messages_finish_reason_length CHECK (length(finish_reason) <= 64),
              ADD COLUMN error text CONSTRAINT agent_messages_error_length CHECK (length(error) <= 200),
              -- A parent of the same tenant; deleting it keeps the child and forgets the link.
              ADD CONSTRAINT agent_messages_parent_fkey FOREIGN KEY (parent_id, owner_id)
                REFERENCES agent_messages (id, owner_id) ON DELETE SET NULL (parent_id)
            """,
            "CREATE INDEX agent_messages_parent_id_idx ON agent_messages (parent_id)",
            """
            GRANT UPDATE (status, model, connection_id, prompt_tokens, completion_tokens, usage_estimated, latency_ms,
                          time_to_first_token_ms, finish_reason, error)
               ON agent_messages TO agent_runtime
            """,
            // MARK: agent_conversations: resources of their own
            // An empty conversation has no first or last message; its `last_message_at` is its creation time, so
            // the recent-first listing keeps one non-null order key.
            "ALTER TABLE agent_conversations ADD COLUMN title text CONSTRAINT agent_conversations_title_length CHECK (length(title) <= 200)",
            "ALTER TABLE agent_conversations ADD COLUMN created_at timestamptz NOT NULL DEFAULT clock_timestamp()",
            "UPDATE agent_conversations SET created_at = first_message_at",
            "ALTER TABLE agent_conversations ALTER COLUMN first_message_at DROP NOT NULL",
            "ALTER TABLE agent_conversations ALTER COLUMN last_message_id DROP NOT NULL",
            """
            ALTER TABLE agent_conversations ADD CONSTRAINT agent_conversations_id_length
              CHECK (length(conversation_id) BETWEEN 1 AND 200) NOT VALID
            """,
            // The summary trigger, now also for a conversation whose summary has no last message yet.
            """
            CREATE OR REPLACE FUNCTION agent_conversations_add() RETURNS trigger
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
                  last_message_id = CASE WHEN c.last_message_id IS NULL
                                              OR (EXCLUDED.last_message_at, EXCLUDED.last_message_id)
                                                 > (c.last_message_at, c.last_message_id)
                                         THEN EXCLUDED.last_message_id ELSE c.last_message_id END,
                  last_message_at = greatest(c.last_message_at, EXCLUDED.last_message_at);
                RETURN NULL;
              END $$
            """,
            // MARK: provider_calls: the call ledger
            // One row per provider call, failed ones included. `reserved_tokens` is held while a call runs, so
            // concurrent calls cannot spend one budget twice; it is released when the call is settled.
            """
            CREATE TABLE provider_calls (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              agent_id text NOT NULL,
              message_id text,
              connection_id text,
              model text NOT NULL CONSTRAINT provider_calls_model_length CHECK (length(model) BETWEEN 1 AND 200),
              attempt integer NOT NULL CONSTRAINT provider_calls_attempt_positive CHECK (attempt > 0),
              status text NOT NULL DEFAULT 'running'
                CONSTRAINT provider_calls_status_check CHECK (status IN ('running', 'complete', 'failed', 'cancelled')),
              prompt_tokens integer NOT NULL DEFAULT 0 CONSTRAINT provider_calls_prompt_tokens_check CHECK (prompt_tokens >= 0),
              completion_tokens integer NOT NULL DEFAULT 0
                CONSTRAINT provider_calls_completion_tokens_check CHECK (completion_tokens >= 0),
              usage_estimated boolean NOT NULL DEFAULT false,
              reserved_tokens integer NOT NULL DEFAULT 0 CONSTRAINT provider_calls_reserved_check CHECK (reserved_tokens >= 0),
              latency_ms integer,
              time_to_first_token_ms integer,
              error text CONSTRAINT provider_calls_error_length CHECK (length(error) <= 200),
              started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
              finished_at timestamptz
            )
            """,
            "CREATE INDEX provider_calls_user_started_idx ON provider_calls (user_id, started_at)",
            "CREATE INDEX provider_calls_running_idx ON provider_calls (user_id) WHERE status = 'running'",
            "ALTER TABLE provider_calls ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE provider_calls FORCE ROW LEVEL SECURITY",
            "CREATE POLICY provider_calls_select ON provider_calls FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY provider_calls_insert ON provider_calls FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY provider_calls_update ON provider_calls FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()))",
            // The ledger is the tenant's bill: the runtime settles a call, it never deletes one.
            "GRANT SELECT, INSERT ON provider_calls TO agent_runtime",
            """
            GRANT UPDATE (status, prompt_tokens, completion_tokens, usage_estimated, reserved_tokens, latency_ms,
                          time_to_first_token_ms, error, finished_at, connection_id)
               ON provider_calls TO agent_runtime
            """,
            // MARK: chat_limits: per-tenant overrides of the operator's defaults
            // A tenant reads its own limits and cannot change them; the operator role sets them.
            """
            CREATE TABLE chat_limits (
              user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              monthly_token_budget bigint CONSTRAINT chat_limits_budget_check CHECK (monthly_token_budget >= 0),
              requests_per_minute integer CONSTRAINT chat_limits_rpm_check CHECK (requests_per_minute >= 0),
              updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "ALTER TABLE chat_limits ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE chat_limits FORCE ROW LEVEL SECURITY",
            "CREATE POLICY chat_limits_select ON chat_limits FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY chat_limits_operator ON chat_limits FOR ALL TO agent_operator USING (true) WITH CHECK (true)",
            "GRANT SELECT ON chat_limits TO agent_runtime",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON chat_limits TO agent_operator",
        ],
        down: [
            "DROP TABLE chat_limits",
            "DROP TABLE provider_calls",
            """
            CREATE OR REPLACE FUNCTION agent_conversations_add() RETURNS trigger
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
            "DELETE FROM agent_conversations WHERE last_message_id IS NULL",
            "ALTER TABLE agent_conversations DROP CONSTRAINT agent_conversations_id_length",
            "ALTER TABLE agent_conversations ALTER COLUMN last_message_id SET NOT NULL",
            "ALTER TABLE agent_conversations ALTER COLUMN first_message_at SET NOT NULL",
            "ALTER TABLE agent_conversations DROP COLUMN created_at",
            "ALTER TABLE agent_conversations DROP COLUMN title",
            "DROP INDEX agent_messages_parent_id_idx",
            """
            ALTER TABLE agent_messages
              DROP CONSTRAINT agent_messages_parent_fkey,
              DROP COLUMN parent_id, DROP COLUMN status, DROP COLUMN model, DROP COLUMN connection_id,
              DROP COLUMN prompt_tokens, DROP COLUMN completion_tokens, DROP COLUMN usage_estimated,
              DROP COLUMN latency_ms, DROP COLUMN time_to_first_token_ms, DROP COLUMN finish_reason, DROP COLUMN error
            """,
        ]
    )
}
