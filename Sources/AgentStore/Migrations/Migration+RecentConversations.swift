extension Migration {
    /// The tenant's recent conversations across all its agents (`GET /v1/conversations`, the console's
    /// home page) read one range of an index: by owner, newest activity first. Without it the list read
    /// every conversation of the tenant and sorted them.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let recentConversations = Migration(
        version: 28,
        name: "the tenant's recent conversations read one index range",
        up: [
            """
            CREATE INDEX agent_conversations_owner_recent_idx ON public.agent_conversations
              (owner_id, last_message_at DESC, agent_id DESC, conversation_id DESC)
            """
        ],
        down: [
            "DROP INDEX public.agent_conversations_owner_recent_idx"
        ])
}
