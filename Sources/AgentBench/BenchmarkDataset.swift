import AgentStore
import Logging
import PostgresNIO

/// The seed baseline's shape loaded into this schema: 1,000 tenants, 10,000 agents, 2,000 connections,
/// 1,000,000 messages (10-message conversations) and 200,000 feedback rows, plus one long conversation
/// of `longConversationLength` messages for page-depth timings. Ids follow the seed baseline (`u1`,
/// `a1`, `conv1`, ...), so the same request mix applies.
public struct BenchmarkDataset: Sendable {
    public var tenants = 1_000
    public var messages = 1_000_000
    /// Messages per conversation: 10 in the seed baseline, 50 for the API benchmark's pages.
    public var conversationLength = 10
    public var longConversationLength = 50_050
    public static let longConversationID = "long"

    public init(tenants: Int = 1_000, messages: Int = 1_000_000, conversationLength: Int = 10) {
        self.tenants = tenants
        self.messages = messages
        self.conversationLength = conversationLength
    }

    /// The conversation id of the `index`th conversation (0-based) of tenant `user` (1-based).
    public func conversation(user: Int, index: Int) -> (agent: AgentID, conversation: ConversationID) {
        let perAgent = messages / (tenants * 10) / conversationLength
        let agent = (user - 1) * 10 + index / perAgent + 1
        let number = (user - 1) * 10 * perAgent + index + 1
        return (AgentID(stored: "a\(agent)"), ConversationID(stored: "conv\(number)"))
    }

    /// Conversations per tenant.
    public var conversationsPerTenant: Int { messages / tenants / conversationLength }

    /// Loads the data as the administrator (row-level security does not apply to the superuser;
    /// the statement-level triggers fill the conversation summary in one pass per statement).
    public func load(into admin: PostgresClient, logger: Logger) async throws {
        let agents = tenants * 10
        let perAgent = messages / agents
        let statements: [PostgresQuery] = [
            "INSERT INTO users (id, email) SELECT 'u' || g, 'u' || g || '@example.test' FROM generate_series(1, \(tenants)) g",
            """
            INSERT INTO agents (id, name, system_prompt, user_id, created_at)
            SELECT 'a' || g, 'agent ' || g, 'You are helpful.', 'u' || ((g - 1) / 10 + 1), now() - (g || ' seconds')::interval
              FROM generate_series(1, \(agents)) g
            """,
            """
            INSERT INTO api_connections (id, name, service, api_key, user_id)
            SELECT 'c' || g, 'conn ' || g, CASE WHEN g % 2 = 0 THEN 'openai' ELSE 'github' END, md5(g::text), 'u' || ((g - 1) / 2 + 1)
              FROM generate_series(1, \(tenants * 2)) g
            """,
            """
            INSERT INTO agent_api_connections (agent_id, api_connection_id, user_id)
            SELECT 'a' || g, 'c' || ((g - 1) / 10 * 2 + 1 + (g % 2)), 'u' || ((g - 1) / 10 + 1)
              FROM generate_series(1, \(agents)) g
            """,
            """
            INSERT INTO agent_messages (id, agent_id, user_id, owner_id, role, content, conversation_id, created_at)
            SELECT 'm' || g, 'a' || ((g - 1) / \(perAgent) + 1), 'u' || ((g - 1) / \(perAgent * 10) + 1), 'u' || ((g - 1) / \(perAgent * 10) + 1),
                   CASE WHEN g % 2 = 0 THEN 'assistant' ELSE 'user' END, repeat('lorem ipsum ', 20),
                   'conv' || ((g - 1) / \(conversationLength) + 1), now() - ((\(messages) - g) || ' seconds')::interval
              FROM generate_series(1, \(messages)) g
            """,
            """
            INSERT INTO agent_feedback (message_id, user_id, owner_id, rating, created_at)
            SELECT 'm' || (g * 5), 'u' || ((g * 5 - 1) / \(perAgent * 10) + 1), 'u' || ((g * 5 - 1) / \(perAgent * 10) + 1), g % 2,
                   now() - ((\(messages / 5) - g) || ' seconds')::interval
              FROM generate_series(1, \(messages / 5)) g
            """,
            """
            INSERT INTO agent_messages (id, agent_id, user_id, owner_id, role, content, conversation_id, created_at)
            SELECT 'long' || g, 'a1', 'u1', 'u1', 'user', repeat('lorem ipsum ', 20), \(Self.longConversationID),
                   now() - ((\(longConversationLength) - g) || ' milliseconds')::interval
              FROM generate_series(1, \(longConversationLength)) g
            """,
            "VACUUM ANALYZE",
        ]
        for statement in statements {
            try await admin.query(statement, logger: logger)
        }
    }
}
