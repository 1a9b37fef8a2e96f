extension Migration {
    /// The token check of migrations 4 and 6, `authenticate_token(text, bytea)`, which sets the tenant for any
    /// valid token and checks no scope, is dropped: migration 11's `authenticate_token(text, bytea, text[])`
    /// replaced it, and no caller is left, but the runtime role could still call it.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 6's function and grants.
    static let unusedTokenCheck = Migration(
        version: 22,
        name: "the token check without scopes is dropped",
        up: [
            "DROP FUNCTION public.authenticate_token(text, bytea)"
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
            "REVOKE ALL ON FUNCTION public.authenticate_token(text, bytea) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_token(text, bytea) TO agent_runtime",
        ])
}
