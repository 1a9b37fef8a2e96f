extension Migration {
    /// The first page of the tenant's agents as a function that sets the tenant and then reads the page:
    /// as the first statement of a transaction opened for a tenant its caller authenticated (a JSON Web
    /// Token, a console session), it sets the tenant itself, where a `SET LOCAL` of its own went ahead of
    /// it, one more round trip per transaction.
    ///
    /// PL/pgSQL runs a function's statements in order, so the page is read under the tenant just set. Like
    /// `start_completion`, it has no SET clause (one would revert the tenant on return), names
    /// everything by schema, and refuses (42501) inside a transaction of another tenant rather than switch
    /// tenants. SECURITY INVOKER (the default): the policies apply to the caller as to any query.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let tenantPages = Migration(
        version: 16,
        name: "the first page of a tenant's agents sets the tenant itself",
        up: [
            """
            CREATE FUNCTION public.tenant_agents_page(p_user_id text, p_limit integer)
              RETURNS SETOF public.agents
              LANGUAGE plpgsql VOLATILE
              AS $$
            BEGIN
              IF public.current_user_id() IS NOT NULL AND public.current_user_id() OPERATOR(pg_catalog.<>) p_user_id THEN
                RAISE EXCEPTION 'a page of another tenant cannot be read in this transaction' USING ERRCODE = '42501';
              END IF;
              PERFORM pg_catalog.set_config('app.current_user_id', p_user_id, true);
              RETURN QUERY
                SELECT * FROM public.agents a WHERE a.user_id OPERATOR(pg_catalog.=) p_user_id
                 ORDER BY a.created_at DESC, a.id DESC LIMIT p_limit;
            END
            $$
            """,
            "REVOKE ALL ON FUNCTION public.tenant_agents_page(text, integer) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.tenant_agents_page(text, integer) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.tenant_agents_page(text, integer)"
        ]
    )
}
