extension Migration {
    /// Full-text search over a tenant's messages and conversation titles.
    ///
    /// Each searchable text gets a stored generated `tsvector` with a GIN index. Stored rather than an
    /// expression index: ranking reads the vector of every match, and recomputing `to_tsvector` of each
    /// matching message at query time would cost more than computing it once when the message is written.
    ///
    /// The configuration is `english`: chat history is searched for words remembered loosely ("deploy"
    /// should find "deployed" and "deployments"), which its stemming gives and `simple` does not. Text of
    /// another language is stemmed by the same rules on both sides, so an exact word still finds itself;
    /// the cost is precision, not recall. A query of stop words alone ("the", "or") matches nothing.
    ///
    /// A message's vector covers its first 100,000 characters: `to_tsvector` refuses a result beyond 1 MB
    /// of lexemes, which a message of up to 1,000,000 characters could reach, and an insert must never
    /// fail for being searchable. 100,000 characters are at most 400,000 bytes.
    ///
    /// The match operator `@@` (`ts_match_vq`) is not marked leakproof in PostgreSQL, and under row-level
    /// security the planner evaluates the policies before any condition that is not leakproof, so for the
    /// runtime role it cannot be an index condition: without more, every search reads all of the tenant's
    /// rows. `ts_match_vq` returns a boolean computed from its two arguments, raises nothing that depends on
    /// them and has no side effects, which is what leakproof means; marking it so lets the GIN index serve
    /// the runtime role, the policies still filtering every row it finds. Only a superuser may mark a
    /// function leakproof; a migrator that is not one leaves it unmarked (search works, scanning the
    /// tenant's rows) and says so in a notice.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let search = Migration(
        version: 7,
        name: "full-text search of messages and conversation titles",
        up: [
            """
            ALTER TABLE agent_messages ADD COLUMN content_search tsvector
              GENERATED ALWAYS AS (to_tsvector('english'::regconfig, left(content, 100000))) STORED
            """,
            "CREATE INDEX agent_messages_content_search_idx ON agent_messages USING gin (content_search)",
            // Weight A: a title names what a whole conversation is about, so it ranks above a passing mention.
            """
            ALTER TABLE agent_conversations ADD COLUMN title_search tsvector
              GENERATED ALWAYS AS (setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')) STORED
            """,
            "CREATE INDEX agent_conversations_title_search_idx ON agent_conversations USING gin (title_search)",
            """
            DO $$ BEGIN
              ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
            EXCEPTION WHEN insufficient_privilege THEN
              RAISE NOTICE 'ts_match_vq left not leakproof (needs a superuser): searches read all of a tenant''s rows';
            END $$
            """,
        ],
        down: [
            """
            DO $$ BEGIN
              ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) NOT LEAKPROOF;
            EXCEPTION WHEN insufficient_privilege THEN
              NULL;
            END $$
            """,
            "DROP INDEX agent_conversations_title_search_idx",
            "ALTER TABLE agent_conversations DROP COLUMN title_search",
            "DROP INDEX agent_messages_content_search_idx",
            "ALTER TABLE agent_messages DROP COLUMN content_search",
        ]
    )
}
