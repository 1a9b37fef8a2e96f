import AgentStore
import AgentTestSupport
import PostgresNIO

/// Two tenants with one of everything each, created through the store.
struct TenantFixture {
    struct Tenant {
        let user: UserID
        let agent: Agent
        let connection: APIConnection
        let message: Message
    }

    let db: TestDatabase
    let a: Tenant
    let b: Tenant

    static func make() async throws -> TenantFixture {
        let db = try await TestDatabase.make()
        return TenantFixture(db: db, a: try await tenant(db, "a"), b: try await tenant(db, "b"))
    }

    static func tenant(_ db: TestDatabase, _ label: String) async throws -> Tenant {
        let user = try await db.makeUser(label)
        return try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "\(label) agent", systemPrompt: "Be helpful."))
            let connection = try await session.createConnection(
                NewAPIConnection(name: "\(label) key", service: "openai", apiKey: "sk-test-\(label)-0123456789abcdef"))
            try await session.attachConnection(agentID: agent.id, connectionID: connection.id)
            let message = try await session.appendMessage(
                agentID: agent.id, conversationID: ConversationID(rawValue: "c1")!,
                NewMessage(role: .user, content: "hello from \(label)"))
            _ = try await session.setFeedback(messageID: message.id, NewFeedback(rating: 1))
            return Tenant(user: user, agent: agent, connection: connection, message: message)
        }
    }

    /// The SQL state of the error `body` throws, or `nil` if it succeeds.
    func sqlState(as tenant: UserID?, _ body: (PostgresConnection) async throws -> Void) async -> String? {
        do {
            try await db.asTenant(tenant) { try await body($0) }
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState] ?? "client"
        } catch {
            return "other"
        }
    }

    /// The number of rows a raw statement returns or touches (with `RETURNING`), as `tenant`.
    func count(as tenant: UserID?, _ query: PostgresQuery) async throws -> Int {
        try await db.asTenant(tenant) { connection in
            try await connection.query(query, logger: db.logger).collect().count
        }
    }
}
