/// Both frozen as literal SQL, their checksums pinned by a test: databases that applied them compare checksums.
extension Migration {
    /// What a connection's key may show (a hint and a fingerprint, never the key), and the append-only
    /// audit log.
    static let secretsAndAudit = Migration(
        version: 2,
        name: "api key hints and audit log",
        up: [
            "ALTER TABLE api_connections ADD COLUMN api_key_hint text NOT NULL DEFAULT ''",
            "ALTER TABLE api_connections ADD COLUMN api_key_fingerprint text NOT NULL DEFAULT ''",
            "GRANT UPDATE (api_key_hint, api_key_fingerprint) ON api_connections TO agent_runtime",
            // Key rotation crosses tenants, so the operator role reads and re-seals every connection, and
            // nothing else.
            "CREATE POLICY api_connections_operator_select ON api_connections FOR SELECT TO agent_operator USING (true)",
            "CREATE POLICY api_connections_operator_update ON api_connections FOR UPDATE TO agent_operator USING (true) WITH CHECK (true)",
            "GRANT SELECT (id, user_id, api_key) ON api_connections TO agent_operator",
            "GRANT UPDATE (api_key) ON api_connections TO agent_operator",
            """
            CREATE TABLE audit_log (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              tenant_id text,
              actor text NOT NULL CONSTRAINT audit_log_actor_length CHECK (length(actor) BETWEEN 1 AND 200),
              action text NOT NULL CONSTRAINT audit_log_action_length CHECK (length(action) BETWEEN 1 AND 100),
              target_type text NOT NULL CONSTRAINT audit_log_target_type_length CHECK (length(target_type) BETWEEN 1 AND 100),
              target_id text CONSTRAINT audit_log_target_id_length CHECK (length(target_id) <= 200),
              request_id text CONSTRAINT audit_log_request_id_length CHECK (length(request_id) <= 200),
              details jsonb,
              created_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            // No foreign key to users: the entry that records a user's deletion outlives the user.
            "CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, created_at DESC, id DESC)",
            "ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE audit_log FORCE ROW LEVEL SECURITY",
            "CREATE POLICY audit_log_select ON audit_log FOR SELECT TO agent_runtime USING (tenant_id = (SELECT current_user_id()))",
            "CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO agent_runtime WITH CHECK (tenant_id = (SELECT current_user_id()))",
            "CREATE POLICY audit_log_operator_insert ON audit_log FOR INSERT TO agent_operator WITH CHECK (true)",
            // Append-only: no role but the owner holds UPDATE or DELETE.
            "GRANT SELECT, INSERT ON audit_log TO agent_runtime",
            "GRANT INSERT ON audit_log TO agent_operator",
        ],
        down: [
            "DROP TABLE audit_log",
            "REVOKE ALL ON api_connections FROM agent_operator",
            "DROP POLICY api_connections_operator_update ON api_connections",
            "DROP POLICY api_connections_operator_select ON api_connections",
            "ALTER TABLE api_connections DROP COLUMN api_key_fingerprint",
            "ALTER TABLE api_connections DROP COLUMN api_key_hint",
        ]
    )

    /// Personal API tokens, stored only as hashes.
    static let apiTokens = Migration(
        version: 3,
        name: "api tokens",
        up: [
            """
            CREATE TABLE api_tokens (
              id text PRIMARY KEY DEFAULT new_time_ordered_id(),
              user_id text NOT NULL DEFAULT current_user_id() REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
              name text NOT NULL DEFAULT '' CONSTRAINT api_tokens_name_length CHECK (length(name) <= 200),
              token_hash bytea NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
              created_at timestamptz NOT NULL DEFAULT now(),
              last_used_at timestamptz,
              revoked_at timestamptz
            )
            """,
            "CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, created_at DESC, id DESC)",
            "ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY",
            "CREATE POLICY api_tokens_select ON api_tokens FOR SELECT TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_tokens_insert ON api_tokens FOR INSERT TO agent_runtime WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_tokens_update ON api_tokens FOR UPDATE TO agent_runtime USING (user_id = (SELECT current_user_id())) WITH CHECK (user_id = (SELECT current_user_id()))",
            "CREATE POLICY api_tokens_delete ON api_tokens FOR DELETE TO agent_runtime USING (user_id = (SELECT current_user_id()))",
            "GRANT SELECT, INSERT, DELETE ON api_tokens TO agent_runtime",
            "GRANT UPDATE (name, last_used_at, revoked_at) ON api_tokens TO agent_runtime",
        ],
        down: [
            "DROP TABLE api_tokens"
        ]
    )
}
