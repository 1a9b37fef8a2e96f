extension Migration {
    /// An account reads only the audit entries of its own time: those written since its user was created.
    ///
    /// A deleted account's entries outlive it (the log is append-only, and the deletion is itself an entry),
    /// under its id; an account created later under the same id (an operator's `users create --id`, or a
    /// JSON Web Token provisioning the same issuer and subject again) read them all, the earlier person's
    /// key openings, sign-ins and exports included. The tenant's read now starts at its user's `created_at`,
    /// a primary-key read in the policy's init plan; the entries stay in the table, for its administrator.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 2's policy.
    static let accountGenerations = Migration(
        version: 31,
        name: "an account reads only the audit entries written since it was created",
        up: [
            """
            ALTER POLICY audit_log_select ON public.audit_log
              USING (tenant_id = (SELECT public.current_user_id())
                     AND created_at >= (SELECT u.created_at FROM public.users u WHERE u.id = (SELECT public.current_user_id())))
            """
        ],
        down: [
            "ALTER POLICY audit_log_select ON public.audit_log USING (tenant_id = (SELECT public.current_user_id()))"
        ])
}
