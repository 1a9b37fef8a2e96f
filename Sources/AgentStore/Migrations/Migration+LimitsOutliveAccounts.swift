extension Migration {
    /// A tenant's limits and its months' token counts outlive its account: deleting the account no longer
    /// deletes the operator's overrides (`chat_limits`) nor the month's count (`monthly_token_usage`), whose
    /// foreign keys to `users` cascaded. With JSON Web Tokens provisioning users, a tenant that deleted its
    /// account and signed in again came back under the same id with the defaults: a budget spent, or a
    /// limit an operator set to stop it, undone by a deletion.
    ///
    /// The operator's change of an unknown user's limits is still refused: it looked to the foreign key for
    /// that, and now reads whether the user exists (the operator role may read users' ids, nothing more).
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores the foreign keys without checking
    /// the rows kept meanwhile (`NOT VALID`): they name users that are gone.
    static let limitsOutliveAccounts = Migration(
        version: 21,
        name: "a tenant's limits and monthly token counts outlive its account",
        up: [
            "ALTER TABLE public.chat_limits DROP CONSTRAINT chat_limits_user_id_fkey",
            "ALTER TABLE public.monthly_token_usage DROP CONSTRAINT monthly_token_usage_user_id_fkey",
            "CREATE POLICY users_operator_select ON public.users FOR SELECT TO agent_operator USING (true)",
            "GRANT SELECT (id) ON public.users TO agent_operator",
        ],
        down: [
            "REVOKE SELECT (id) ON public.users FROM agent_operator",
            "DROP POLICY users_operator_select ON public.users",
            """
            ALTER TABLE public.monthly_token_usage ADD CONSTRAINT monthly_token_usage_user_id_fkey
              FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE ON UPDATE CASCADE NOT VALID
            """,
            """
            ALTER TABLE public.chat_limits ADD CONSTRAINT chat_limits_user_id_fkey
              FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE ON UPDATE CASCADE NOT VALID
            """,
        ])
}
