extension Migration {
    /// Lets an operator settle the calls and replies that a stopped platform left running.
    ///
    /// A process that dies while it streams (killed, out of memory, the machine gone) never settles its
    /// calls: their ledger rows stay `running` with their tokens reserved, so they count against the
    /// tenant's budget until the month ends, and their replies stay `streaming` in every client. No
    /// generation outlives the reply time limit, so what is still running well after it was left behind.
    ///
    /// The `agent_operator` role (an administrator's connection, `SET LOCAL ROLE`) may read only the id,
    /// status and start of running calls and streaming replies (and of those it settled: an update must
    /// still see its new row), never their content, and may change them only to `failed` with the problem
    /// type `reply-interrupted`, releasing the reservation. The trigger that counts settled usage adds nothing for
    /// them (no usage is known), so the role needs nothing on the counter.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let interruptedReplies = Migration(
        version: 15,
        name: "an operator settles calls and replies a stopped platform left running",
        up: [
            "GRANT SELECT (id, status, started_at) ON public.provider_calls TO agent_operator",
            "GRANT UPDATE (status, error, reserved_tokens, finished_at) ON public.provider_calls TO agent_operator",
            """
            CREATE POLICY provider_calls_operator_select ON public.provider_calls FOR SELECT TO agent_operator
              USING (status = 'running' OR (status = 'failed' AND error = 'reply-interrupted'))
            """,
            """
            CREATE POLICY provider_calls_operator_interrupt ON public.provider_calls FOR UPDATE TO agent_operator
              USING (status = 'running') WITH CHECK (status = 'failed' AND error = 'reply-interrupted' AND reserved_tokens = 0)
            """,
            "GRANT SELECT (id, status, created_at) ON public.agent_messages TO agent_operator",
            "GRANT UPDATE (status, error) ON public.agent_messages TO agent_operator",
            """
            CREATE POLICY agent_messages_operator_select ON public.agent_messages FOR SELECT TO agent_operator
              USING (status = 'streaming' OR (status = 'failed' AND error = 'reply-interrupted'))
            """,
            """
            CREATE POLICY agent_messages_operator_interrupt ON public.agent_messages FOR UPDATE TO agent_operator
              USING (status = 'streaming') WITH CHECK (status = 'failed' AND error = 'reply-interrupted')
            """,
        ],
        down: [
            "DROP POLICY agent_messages_operator_interrupt ON public.agent_messages",
            "DROP POLICY agent_messages_operator_select ON public.agent_messages",
            "REVOKE UPDATE (status, error) ON public.agent_messages FROM agent_operator",
            "REVOKE SELECT (id, status, created_at) ON public.agent_messages FROM agent_operator",
            "DROP POLICY provider_calls_operator_interrupt ON public.provider_calls",
            "DROP POLICY provider_calls_operator_select ON public.provider_calls",
            "REVOKE UPDATE (status, error, reserved_tokens, finished_at) ON public.provider_calls FROM agent_operator",
            "REVOKE SELECT (id, status, started_at) ON public.provider_calls FROM agent_operator",
        ]
    )
}
