extension Migration {
    /// A user's message may carry the `Idempotency-Key` of the request that stored it, unique per tenant:
    /// a client that retries a request whose answer it never saw (a dropped connection, an SDK's automatic
    /// retry of a 5xx) finds the exchange it started instead of storing its message again.
    ///
    /// A nullable column without a default rewrites nothing; its checks and the partial index read the
    /// table once. Frozen as literal SQL, its checksum pinned by a test.
    static let retriedRequests = Migration(
        version: 20,
        name: "a user's message keeps the idempotency key of the request that stored it",
        up: [
            """
            ALTER TABLE agent_messages
              ADD COLUMN idempotency_key text
                CONSTRAINT agent_messages_idempotency_key_check
                  CHECK (idempotency_key IS NULL OR (octet_length(idempotency_key) BETWEEN 1 AND 255 AND role = 'user'))
            """,
            """
            CREATE UNIQUE INDEX agent_messages_idempotency_key_idx ON agent_messages (owner_id, idempotency_key)
              WHERE idempotency_key IS NOT NULL
            """,
        ],
        down: [
            "DROP INDEX agent_messages_idempotency_key_idx",
            "ALTER TABLE agent_messages DROP COLUMN idempotency_key",
        ])
}
