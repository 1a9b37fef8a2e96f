extension Migration {
    /// Lets a write check its personal token, scopes included, with the first statement of the
    /// transaction that serves it, as a read does: before, a write paid a transaction of its own for
    /// the check, because only that told a valid token without the scope (403) from one not valid (401).
    ///
    /// The new overload sets the tenant only when the token holds one of `accepted_scopes`, and returns
    /// the token's scopes (NULL when it is not valid), so the caller can tell the two refusals apart.
    /// A refused transaction sees and changes nothing: without the tenant, the policies match no row.
    /// Like the two-argument function, no SET clause: it would revert the tenant the check sets.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let scopedTokenCheck = Migration(
        version: 11,
        name: "the token check takes the scopes a request needs",
        up: [
            """
            CREATE FUNCTION public.authenticate_token(claimed_user_id text, presented_hash bytea, accepted_scopes text[])
              RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              token_id text;
              used_at timestamptz;
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT t.id, t.last_used_at, t.scopes INTO token_id, used_at, granted FROM public.api_tokens t
               WHERE t.token_hash OPERATOR(pg_catalog.=) presented_hash AND t.user_id OPERATOR(pg_catalog.=) claimed_user_id
                 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
              IF token_id IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN NULL;
              END IF;
              -- Recording each use at most once a minute keeps authentication from writing on most requests.
              IF used_at IS NULL OR used_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 minute') THEN
                UPDATE public.api_tokens SET last_used_at = pg_catalog.now() WHERE id OPERATOR(pg_catalog.=) token_id;
              END IF;
              IF NOT (granted OPERATOR(pg_catalog.&&) accepted_scopes) THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
              END IF;
              RETURN granted;
            END
            $$
            """,
            "REVOKE ALL ON FUNCTION public.authenticate_token(text, bytea, text[]) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_token(text, bytea, text[]) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.authenticate_token(text, bytea, text[])"
        ]
    )
}
