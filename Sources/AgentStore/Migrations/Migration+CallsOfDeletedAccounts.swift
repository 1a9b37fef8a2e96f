extension Migration {
    /// A call still running when its account is deleted is counted in the month's tokens at its
    /// reservation, the most it may spend. Its row went with the account (the ledger's foreign key
    /// cascades), so its settlement found nothing to update and its tokens were never counted: with JSON
    /// Web Tokens provisioning users, a tenant that deleted its account while its calls ran and signed in
    /// again came back with those tokens unspent, however much the calls used.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down drops the trigger and its function.
    static let callsOfDeletedAccounts = Migration(
        version: 23,
        name: "a call running when its account is deleted counts its reservation",
        up: [
            """
            CREATE FUNCTION public.provider_calls_count_deleted() RETURNS trigger
              LANGUAGE plpgsql
              SET search_path = pg_catalog, public
              AS $$
            BEGIN
              INSERT INTO public.monthly_token_usage AS u (user_id, month, tokens)
              VALUES (OLD.user_id, date_trunc('month', OLD.started_at AT TIME ZONE 'UTC')::date, OLD.reserved_tokens)
              ON CONFLICT (user_id, month) DO UPDATE SET tokens = u.tokens + EXCLUDED.tokens;
              RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER provider_calls_count_deleted AFTER DELETE ON public.provider_calls
              FOR EACH ROW WHEN (OLD.status = 'running' AND OLD.reserved_tokens > 0)
              EXECUTE FUNCTION public.provider_calls_count_deleted()
            """,
        ],
        down: [
            "DROP TRIGGER provider_calls_count_deleted ON public.provider_calls",
            "DROP FUNCTION public.provider_calls_count_deleted()",
        ])
}
