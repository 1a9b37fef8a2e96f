import Foundation

extension Migration {
    /// Reads that cost what the tenant's page costs, not what the table holds (measured at 1,000 tenants and
    /// 1,000,000 messages, as the runtime role):
    ///
    /// - **Search.** The full-text indexes held every tenant's words: a search read every tenant's matches
    ///   and dropped the others' (57 ms for a tenant of 1,000 messages), or walked a whole index when the
    ///   word was common (138 ms). They now lead with the tenant (`btree_gin` lets a GIN index hold
    ///   `owner_id` beside the vector): 1.6 and 4.5 ms. Built with `fastupdate = off`, so that a search does
    ///   not read the pending list of every tenant's recent writes.
    /// - **The minute's calls.** `start_provider_call` counted the tenant's calls of the last minute against
    ///   `clock_timestamp() - interval '1 minute'`, which is volatile and so never bounds an index scan:
    ///   under a per-minute limit, each start read the tenant's whole call history (7 to 9 ms at 20,000
    ///   calls, under the tenant's lock). The bound is now a variable taken once the lock is held: 0.06 ms.
    /// - **Links.** The account export lists the tenant's links from a table with no index on its tenant.
    ///
    /// On a large database the indexes take a while to build, and writes to the tables wait meanwhile:
    /// apply it at a quiet time. `btree_gin` ships with PostgreSQL (a trusted extension); down drops it,
    /// and fails, naming what depends on it, if anything else came to.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 7's indexes and
    /// migration 19's function.
    static let tenantScaledIndexes = Migration(
        version: 24,
        name: "searches, the minute's calls and links read the tenant's rows only",
        up: [
            "CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public",
            """
            CREATE INDEX agent_messages_owner_search_idx ON public.agent_messages
              USING gin (owner_id, content_search) WITH (fastupdate = off)
            """,
            "DROP INDEX public.agent_messages_content_search_idx",
            """
            CREATE INDEX agent_conversations_owner_search_idx ON public.agent_conversations
              USING gin (owner_id, title_search) WITH (fastupdate = off)
            """,
            "DROP INDEX public.agent_conversations_title_search_idx",
            "CREATE INDEX agent_api_connections_user_id_idx ON public.agent_api_connections (user_id, created_at, id)",
            Self.minuteBoundAfterTheLock(Migration.clearerRefusals.up[0]),
        ],
        down: [
            Migration.clearerRefusals.up[0],
            "DROP INDEX public.agent_api_connections_user_id_idx",
            "CREATE INDEX agent_conversations_title_search_idx ON public.agent_conversations USING gin (title_search)",
            "DROP INDEX public.agent_conversations_owner_search_idx",
            "CREATE INDEX agent_messages_content_search_idx ON public.agent_messages USING gin (content_search)",
            "DROP INDEX public.agent_messages_owner_search_idx",
            "DROP EXTENSION btree_gin",
        ])

    /// Migration 19's `start_provider_call` with the last minute bounded by a variable set once the tenant's
    /// lock is held, where each count read `clock_timestamp()`.
    static func minuteBoundAfterTheLock(_ function: String) -> String {
        function
            .replacingOccurrences(of: "  oldest timestamptz;\n", with: "  oldest timestamptz;\n  since timestamptz;\n")
            .replacingOccurrences(
                of: "IF p_requests_per_minute IS NOT NULL AND p_attempt = 1 THEN\n",
                with: "IF p_requests_per_minute IS NOT NULL AND p_attempt = 1 THEN\n"
                    + "      since := clock_timestamp() - interval '1 minute';\n"
            )
            .replacingOccurrences(
                of: "c.started_at > clock_timestamp() - interval '1 minute'", with: "c.started_at > since")
    }
}
