import Foundation
import PostgresNIO

extension TenantSession {
    static let agentColumns = """
        id, user_id, name, description, system_prompt, model, temperature::float8, max_tokens, created_at, updated_at
        """

    static func agent(from row: PostgresRow) throws -> Agent {
        agent(try row.decode((String, String, String, String?, String, String, Double, Int?, Date, Date).self))
    }

    /// An agent from the values of `agentColumns`, in their order.
    static func agent(
        _ columns: (String, String, String, String?, String, String, Double, Int?, Date, Date)
    ) -> Agent {
        let (id, userID, name, description, systemPrompt, model, temperature, maxTokens, createdAt, updatedAt) = columns
        return Agent(
            id: AgentID(stored: id), userID: UserID(stored: userID), name: name, description: description,
            systemPrompt: systemPrompt,
            model: model, temperature: temperature, maxTokens: maxTokens, createdAt: createdAt, updatedAt: updatedAt)
    }

    // MARK: Operations

    public func createAgent(_ new: NewAgent) async throws -> Agent {
        try new.validate()
        let agent = try await row(
            """
            INSERT INTO agents (user_id, name, description, system_prompt, model, temperature, max_tokens)
            VALUES (\(userID.rawValue), \(new.name), \(new.description), \(new.systemPrompt),
                    coalesce(\(new.model), 'gpt-3.5-turbo'), coalesce(\(new.temperature)::numeric, 0.7), \(new.maxTokens))
            RETURNING \(unescaped: Self.agentColumns)
            """, Self.agent
        ).unwrapped(or: .notFound(resource: "user"))
        try await audit(.agentCreated, targetType: "agent", targetID: agent.id.rawValue)
        return agent
    }

    /// The tenant's agents as models of the OpenAI-compatible endpoint, oldest first, at most `limit`: their
    /// ids and creation times alone, in one statement (a page walk read every agent's system prompt, up to
    /// 100,000 characters each, to list their ids).
    public func agentModels(limit: Int = AgentModel.listedAtMost) async throws -> [AgentModel] {
        try await rows(
            """
            SELECT id, name, created_at FROM agents WHERE user_id = \(userID.rawValue)
             ORDER BY created_at, id LIMIT \(limit)
            """
        ) { row in
            let (id, name, createdAt) = try row.decode((String, String, Date).self)
            return AgentModel(id: AgentID(stored: id), name: name, createdAt: createdAt)
        }
    }

    /// The names of those of `ids` that are the tenant's agents, by id; a deleted agent (whose usage stays)
    /// or another's has none. One statement, however many.
    public func agentNames(_ ids: [String]) async throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let named = try await rows(
            "SELECT id, name FROM agents WHERE id = ANY(\(ids)) AND user_id = \(userID.rawValue)"
        ) { try $0.decode((String, String).self) }
        return Dictionary(named, uniquingKeysWith: { first, _ in first })
    }

    public func agent(_ id: AgentID) async throws -> Agent {
        try await row(
            "SELECT \(unescaped: Self.agentColumns) FROM agents WHERE id = \(id) AND user_id = \(userID.rawValue)",
            Self.agent
        ) ?? { throw StoreError.notFound(resource: "agent") }()
    }

    /// The tenant's agents, newest first by default.
    public func agents(_ request: PageRequest) async throws -> Page<Agent> {
        if request.cursor == nil, request.order == .descending {
            try request.validate()
            let first = PreparedPages.Agents(tenant: userID.rawValue, limit: request.limit + 1)
            let settingTenant = PreparedPages.TenantAgents(tenant: userID.rawValue, limit: request.limit + 1)
            return Keyset(request: request).page(
                from: try await rows(prepared: first, orSettingTenant: settingTenant, Self.agent))
        }
        return try await listing(Self.agentColumns, from: "agents", where: [("user_id", userID.rawValue)], request, Self.agent)
    }

    public func updateAgent(_ id: AgentID, _ changes: AgentChanges) async throws -> Agent {
        try changes.validate()
        guard !changes.isEmpty else { return try await agent(id) }
        var sql = SQLStatement("UPDATE agents SET updated_at = now()")
        if let name = changes.name { sql.append(", name = \(sql.bind(name))") }
        if let description = changes.description { sql.append(", description = \(sql.bind(description))") }
        if let systemPrompt = changes.systemPrompt { sql.append(", system_prompt = \(sql.bind(systemPrompt))") }
        if let model = changes.model { sql.append(", model = \(sql.bind(model))") }
        if let temperature = changes.temperature { sql.append(", temperature = \(sql.bind(temperature))::numeric") }
        if let maxTokens = changes.maxTokens { sql.append(", max_tokens = \(sql.bind(maxTokens))") }
        sql.append(" WHERE id = \(sql.bind(id)) AND user_id = \(sql.bind(userID.rawValue)) RETURNING \(Self.agentColumns)")
        let agent = try await row(sql.query, Self.agent).unwrapped(or: .notFound(resource: "agent"))
        try await audit(.agentUpdated, targetType: "agent", targetID: id.rawValue)
        return agent
    }

    /// Deletes an agent with its links, conversations and feedback.
    /// - Returns: the agent's replies that were still streaming: their cancel is published with the commit
    ///   (see `publishCancel(of:)`), so that no provider call runs on, billed, for a reply that no longer exists.
    @discardableResult
    public func deleteAgent(_ id: AgentID) async throws -> [MessageID] {
        // The agent is locked first: a reply starting meanwhile holds a key-share lock on it (the foreign key
        // of its messages), so this waits for that start to commit, and the read below then sees its reply.
        // Read first, a reply that committed between the read and the delete went unstopped, deleted.
        _ = try await rows("SELECT 1 FROM agents WHERE id = \(id) AND user_id = \(userID.rawValue) FOR UPDATE") { _ in () }
        let streaming = try await rows(
            """
            SELECT id FROM agent_messages
             WHERE agent_id = \(id) AND owner_id = \(userID.rawValue) AND status = \(Message.Status.streaming.rawValue)
            """
        ) { MessageID(stored: try $0.decode(String.self)) }
        let deleted = try await affectedRows(
            "DELETE FROM agents WHERE id = \(id) AND user_id = \(userID.rawValue) RETURNING id")
        guard deleted > 0 else { throw StoreError.notFound(resource: "agent") }
        try await audit(.agentDeleted, targetType: "agent", targetID: id.rawValue)
        for reply in streaming { try await publishCancel(of: reply) }
        return streaming
    }
}
