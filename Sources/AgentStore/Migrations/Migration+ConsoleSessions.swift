extension Migration {
    /// Sessions of the web console. A session is a credential like a personal token (the cookie names its
    /// user and carries a secret whose hash is stored), checked by one statement that sets the tenant it
    /// names and reads the session under that tenant's row-level security, so no role reads another
    /// tenant's sessions. Ending a session (sign-out) is a row update the next check sees at once.
    ///
    /// Frozen as literal SQL. The function has no `SET search_path` clause for the reason
    /// `authenticate_token` has none; its names are schema-qualified.
    static let consoleSessions = Migration(
        version: 8,
        name: "console sessions",
        up: [
            """
            CREATE TABLE console_sessions (
              id text PRIMARY KEY DEFAULT public.new_time_ordered_id(),
              user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
              session_hash bytea NOT NULL CONSTRAINT console_sessions_session_hash_key UNIQUE,
              scopes text[] NOT NULL
                CONSTRAINT console_sessions_scopes_check
                CHECK (cardinality(scopes) BETWEEN 1 AND 3 AND scopes <@ ARRAY['read', 'write', 'admin']::text[]),
              created_at timestamptz NOT NULL DEFAULT now(),
              expires_at timestamptz NOT NULL,
              ended_at timestamptz
            )
            """,
            "CREATE INDEX console_sessions_user_id_idx ON console_sessions (user_id, created_at DESC)",
            "ALTER TABLE console_sessions ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE console_sessions FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY console_sessions_select ON console_sessions FOR SELECT TO agent_runtime
              USING (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY console_sessions_insert ON console_sessions FOR INSERT TO agent_runtime
              WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            """
            CREATE POLICY console_sessions_update ON console_sessions FOR UPDATE TO agent_runtime
              USING (user_id = (SELECT public.current_user_id())) WITH CHECK (user_id = (SELECT public.current_user_id()))
            """,
            "GRANT SELECT, INSERT ON console_sessions TO agent_runtime",
            // Only ending a session is a change the platform makes; nothing widens or extends one.
            "GRANT UPDATE (ended_at) ON console_sessions TO agent_runtime",
            """
            CREATE FUNCTION public.authenticate_console_session(claimed_user_id text, presented_hash bytea) RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT s.scopes INTO granted FROM public.console_sessions s
               WHERE s.session_hash = presented_hash AND s.user_id = claimed_user_id AND s.ended_at IS NULL
                 AND s.expires_at > pg_catalog.now();
              IF granted IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
            """,
            "REVOKE ALL ON FUNCTION public.authenticate_console_session(text, bytea) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_console_session(text, bytea) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.authenticate_console_session(text, bytea)",
            "DROP TABLE console_sessions",
        ]
    )
}
