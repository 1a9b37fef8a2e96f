extension Migration {
    /// A personal token is checked inside the transaction that serves its request: one statement sets the
    /// tenant the token names and checks the token under that tenant's row-level security, and takes the
    /// tenant back when the token is not valid, so the rest of the transaction sees nothing.
    ///
    /// Frozen as literal SQL. No `SET search_path` clause: a function with one reverts every setting made
    /// inside it on exit, the tenant included; names are schema-qualified instead.
    static let tokenAuthentication = Migration(
        version: 4,
        name: "token authentication in the request's transaction",
        up: [
            """
            CREATE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea) RETURNS boolean
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
            "REVOKE ALL ON FUNCTION public.authenticate_token(text, bytea) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_token(text, bytea) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.authenticate_token(text, bytea)"
        ]
    )
}
