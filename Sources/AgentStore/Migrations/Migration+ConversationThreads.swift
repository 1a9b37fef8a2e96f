import Foundation

extension Migration {
    /// Conversations branch: a message edited and sent again, or a reply regenerated, is a sibling of the
    /// first (the same parent), and a conversation is read as the thread that ends at one message.
    ///
    /// - `agent_messages.root`: a message stored without a parent on purpose, beside the conversation's
    ///   first message (the first, edited and sent again). Any other message without a parent was stored
    ///   before parents were (or by an app writing the seed's columns) and follows the message before it, so
    ///   without this mark such an edit would read as a follow-up of the newest message. False for every
    ///   existing message (a constant default rewrites nothing), and inserts that name only the seed's
    ///   columns keep working.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test.
    static let conversationThreads = Migration(
        version: 26,
        name: "messages may start their conversation anew",
        up: [
            """
            ALTER TABLE public.agent_messages ADD COLUMN root boolean NOT NULL DEFAULT false,
              ADD CONSTRAINT agent_messages_root_check CHECK (NOT root OR parent_id IS NULL)
            """
        ],
        down: [
            "ALTER TABLE public.agent_messages DROP COLUMN root"
        ])
}
