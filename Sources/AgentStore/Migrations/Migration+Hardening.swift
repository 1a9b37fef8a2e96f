extension Migration {
    /// What a review found around the tenant isolation: objects anyone could create in `public`, functions
    /// that resolved names through the caller's `search_path`, an operator role that could write into a
    /// tenant's audit log, and personal tokens that never expired and could do everything their user can.
    ///
    /// The runtime's statement timeout is not here: a role's settings apply only to sessions that log in
    /// as it, never to its members, so `ALTER ROLE agent_runtime` would bound nothing; and roles belong to
    /// the cluster, so a per-database migration that alters one collides with the migrations of the other
    /// databases (`tuple concurrently updated`) and its `down` would change every database. The login
    /// role gets it in `PlatformDatabase.migrateAndEnsureRuntimeLogin`.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let hardening = Migration(
        version: 6,
        name: "hardening: schema privileges, function search paths, operator audit, token expiry and scopes",
        up: [
            // A role that can create objects in `public` can shadow a platform name for everyone whose
            // search path reaches it. (PostgreSQL 15 and later start this way; older clusters do not.)
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            // Names inside these functions resolve in the catalog and the platform's schema only, whatever
            // the caller's search path. `authenticate_token` is left out on purpose: a SET clause reverts
            // the tenant it sets on exit; it schema-qualifies its names instead.
            "ALTER FUNCTION public.current_user_id() SET search_path = pg_catalog, public",
            "ALTER FUNCTION public.new_time_ordered_id() SET search_path = pg_catalog, public",
            "ALTER FUNCTION public.touch_updated_at() SET search_path = pg_catalog, public",
            "ALTER FUNCTION public.agent_conversations_add() SET search_path = pg_catalog, public",
            "ALTER FUNCTION public.agent_conversations_remove() SET search_path = pg_catalog, public",
            "ALTER FUNCTION public.agent_feedback_fill_agent() SET search_path = pg_catalog, public",
            // The operator records its own actions (key rotation, limits); it never writes a tenant's log.
            "DROP POLICY audit_log_operator_insert ON audit_log",
            "CREATE POLICY audit_log_operator_insert ON audit_log FOR INSERT TO agent_operator WITH CHECK (tenant_id IS NULL)",
            // Tokens issued before this migration keep working as they did: no expiry, every scope.
            """
            ALTER TABLE api_tokens
              ADD COLUMN expires_at timestamptz,
              ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write,admin}'
                CONSTRAINT api_tokens_scopes_check
                CHECK (cardinality(scopes) BETWEEN 1 AND 3 AND scopes <@ ARRAY['read', 'write', 'admin']::text[])
            """,
            // The same function, now refusing an expired token; still without a SET clause (see above).
            """
            CREATE OR REPLACE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea) RETURNS boolean
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              token_id text;
              used_at timestamptz;
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT t.id, t.last_used_at INTO token_id, used_at FROM public.api_tokens t
               WHERE t.token_hash = presented_hash AND t.user_id = claimed_user_id AND t.revoked_at IS NULL
                 AND (t.expires_at IS NULL OR t.expires_at > pg_catalog.now());
              IF token_id IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN false;
              END IF;
              -- Recording each use at most once a minute keeps authentication from writing on most requests.
              IF used_at IS NULL OR used_at < pg_catalog.now() - interval '1 minute' THEN
                UPDATE public.api_tokens SET last_used_at = pg_catalog.now() WHERE id = token_id;
              END IF;
              RETURN true;
            END
            $$
            """,
        ],
        down: [
            """
            CREATE OR REPLACE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea) RETURNS boolean
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              token_id text;
              used_at timestamptz;
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT t.id, t.last_used_at INTO token_id, used_at FROM public.api_tokens t
               WHERE t.token_hash = presented_hash AND t.user_id = claimed_user_id AND t.revoked_at IS NULL;
              IF token_id IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN false;
              END IF;
              -- Recording each use at most once a minute keeps authentication from writing on most requests.
              IF used_at IS NULL OR used_at < pg_catalog.now() - interval '1 minute' THEN
                UPDATE public.api_tokens SET last_used_at = pg_catalog.now() WHERE id = token_id;
              END IF;
              RETURN true;
            END
            $$
            """,
            // Version 5 checks neither an expiry nor a scope: a token with either would outlive it, or gain every
            // scope. Revoked instead (today every token expires, so every token).
            """
            UPDATE api_tokens SET revoked_at = coalesce(revoked_at, pg_catalog.now())
             WHERE expires_at IS NOT NULL OR NOT scopes @> ARRAY['read', 'write', 'admin']::text[]
            """,
            "ALTER TABLE api_tokens DROP COLUMN scopes, DROP COLUMN expires_at",
            "DROP POLICY audit_log_operator_insert ON audit_log",
            "CREATE POLICY audit_log_operator_insert ON audit_log FOR INSERT TO agent_operator WITH CHECK (true)",
            "ALTER FUNCTION public.agent_feedback_fill_agent() RESET search_path",
            "ALTER FUNCTION public.agent_conversations_remove() RESET search_path",
            "ALTER FUNCTION public.agent_conversations_add() RESET search_path",
            "ALTER FUNCTION public.touch_updated_at() RESET search_path",
            "ALTER FUNCTION public.new_time_ordered_id() RESET search_path",
            "ALTER FUNCTION public.current_user_id() RESET search_path",
            // Back to the default of the server's version: PostgreSQL before 15 let PUBLIC create in
            // `public`; granting it on a later version would open what was never open.
            """
            DO $$ BEGIN
              IF pg_catalog.current_setting('server_version_num')::int < 150000 THEN
                GRANT CREATE ON SCHEMA public TO PUBLIC;
              END IF;
            END $$
            """,
        ]
    )
}
