extension Migration {
    /// Lets the planner inline `current_user_id()`, which every policy reads once per query.
    ///
    /// Migration 6 gave it `SET search_path`, and a function with a SET clause is never inlined: each
    /// query then paid a function call that saved, switched and restored the search path, up to twice
    /// per policy. That was most of what row-level security cost the request mix (`bench rls`: 0.78 of
    /// the hand-scoped mix before, 0.87 after, in one session). The body now names everything in
    /// `pg_catalog`, operator included, so no search path can change what it resolves to.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let inlinedTenant = Migration(
        version: 10,
        name: "the tenant lookup is inlined into every policy",
        up: [
            """
            CREATE OR REPLACE FUNCTION public.current_user_id() RETURNS text
              LANGUAGE sql STABLE PARALLEL SAFE
              AS $$
                SELECT CASE WHEN pg_catalog.current_setting('app.current_user_id', true) OPERATOR(pg_catalog.=) ''
                            THEN NULL
                            ELSE pg_catalog.current_setting('app.current_user_id', true) END
              $$
            """
        ],
        down: [
            """
            CREATE OR REPLACE FUNCTION public.current_user_id() RETURNS text
              LANGUAGE sql STABLE PARALLEL SAFE
              SET search_path = pg_catalog, public
              AS $$ SELECT NULLIF(current_setting('app.current_user_id', true), '') $$
            """
        ]
    )
}
