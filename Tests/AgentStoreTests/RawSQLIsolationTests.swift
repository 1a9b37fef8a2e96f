import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

/// Attacks through any statement the runtime role can send: tenant A against tenant B.
@Suite struct RawSQLIsolationTests {
    static let tables = [
        "users", "agents", "api_connections", "agent_api_connections", "agent_messages",
        "agent_conversations", "agent_feedback", "audit_log", "api_tokens", "provider_calls", "chat_limits",
        "monthly_token_usage",
    ]

    @Test func unsetContextSeesNothingAndWritesNothing() async throws {
        let f = try await TenantFixture.make()
        for table in Self.tables {
            #expect(try await f.count(as: nil, "SELECT 1 FROM \(unescaped: table)") == 0, "\(table)")
        }
        #expect(
            await f.sqlState(as: nil) {
                try await $0.query(
                    "INSERT INTO agents (name, system_prompt, user_id) VALUES ('x', 'y', \(f.a.user.rawValue))",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: nil) {
                try await $0.query("INSERT INTO users (id, email) VALUES ('intruder', 'i@example.test')", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(try await f.count(as: nil, "DELETE FROM users RETURNING id") == 0)
    }

    @Test func readsSeeOnlyTheTenantsRows() async throws {
        let f = try await TenantFixture.make()
        for table in Self.tables {
            let column =
                table == "users"
                ? "id"
                : table == "audit_log"
                    ? "tenant_id"
                    : table.hasPrefix("agent_messages") || table == "agent_conversations" || table == "agent_feedback"
                        ? "owner_id" : "user_id"
            #expect(
                try await f.count(
                    as: f.a.user, "SELECT 1 FROM \(unescaped: table) WHERE \(unescaped: column) = \(f.b.user.rawValue)") == 0,
                "\(table)")
        }
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM agents") == 1)
    }

    @Test func cannotLinkAnotherTenantsConnection() async throws {
        let f = try await TenantFixture.make()
        // Insert a link from A's agent to B's connection, with and without naming the tenant.
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_api_connections (agent_id, api_connection_id) VALUES (\(f.a.agent.id), \(f.b.connection.id))",
                    logger: f.db.logger)
            } == PostgresError.Code.foreignKeyViolation.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_api_connections (agent_id, api_connection_id, user_id) VALUES (\(f.a.agent.id), \(f.b.connection.id), \(f.b.user.rawValue))",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        // Repoint A's existing link at B's connection.
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "UPDATE agent_api_connections SET api_connection_id = \(f.b.connection.id) WHERE agent_id = \(f.a.agent.id)",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
    }

    @Test func cannotWriteMessagesIntoAnotherTenantsAgentOrAsAnotherTenant() async throws {
        let f = try await TenantFixture.make()
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_messages (agent_id, user_id, role, content, conversation_id) VALUES (\(f.b.agent.id), \(f.a.user.rawValue), 'user', 'spam', 'c1')",
                    logger: f.db.logger)
            } == PostgresError.Code.foreignKeyViolation.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_messages (agent_id, user_id, role, content, conversation_id) VALUES (\(f.a.agent.id), \(f.b.user.rawValue), 'user', 'forged', 'c1')",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        // Move A's message onto B's agent.
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "UPDATE agent_messages SET agent_id = \(f.b.agent.id) WHERE id = \(f.a.message.id)", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        // The seed's own INSERT, naming only its columns, works for A's own agent.
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_messages (agent_id, user_id, role, content, conversation_id) VALUES (\(f.a.agent.id), \(f.a.user.rawValue), 'user', 'fine', 'c1')",
                    logger: f.db.logger)
            } == nil)
    }

    @Test func cannotGiveFeedbackOnAnotherTenantsMessage() async throws {
        let f = try await TenantFixture.make()
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_feedback (message_id, user_id, rating) VALUES (\(f.b.message.id), \(f.a.user.rawValue), 0)",
                    logger: f.db.logger)
            } == PostgresError.Code.foreignKeyViolation.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "UPDATE agent_feedback SET message_id = \(f.b.message.id) WHERE message_id = \(f.a.message.id)",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
    }

    @Test func cannotMoveRowsToAnotherTenant() async throws {
        let f = try await TenantFixture.make()
        for table in ["agents", "api_connections", "agent_api_connections"] {
            #expect(
                await f.sqlState(as: f.a.user) {
                    try await $0.query("UPDATE \(unescaped: table) SET user_id = \(f.b.user.rawValue)", logger: f.db.logger)
                } == PostgresError.Code.insufficientPrivilege.raw, "\(table)")
        }
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("UPDATE users SET id = \(f.b.user.rawValue) || 'x'", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agents (name, system_prompt, user_id) VALUES ('x', 'y', \(f.b.user.rawValue))",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
    }

    @Test func cannotChangeOrDeleteAnotherTenantsRows() async throws {
        let f = try await TenantFixture.make()
        #expect(try await f.count(as: f.a.user, "DELETE FROM users WHERE id = \(f.b.user.rawValue) RETURNING id") == 0)
        #expect(
            try await f.count(
                as: f.a.user, "UPDATE users SET email = 'x@example.test' WHERE id = \(f.b.user.rawValue) RETURNING id") == 0)
        #expect(try await f.count(as: f.a.user, "UPDATE agents SET name = 'pwned' WHERE id = \(f.b.agent.id) RETURNING id") == 0)
        #expect(try await f.count(as: f.a.user, "DELETE FROM agents RETURNING id") == 1)
        #expect(try await f.count(as: f.a.user, "DELETE FROM agent_messages WHERE id = \(f.b.message.id) RETURNING id") == 0)
        #expect(
            try await f.count(
                as: f.a.user, "UPDATE api_connections SET api_key = 'x' WHERE id = \(f.b.connection.id) RETURNING id") == 0)
        // B's data is intact, as B sees it.
        #expect(try await f.count(as: f.b.user, "SELECT 1 FROM agents") == 1)
        #expect(try await f.count(as: f.b.user, "SELECT 1 FROM users") == 1)
    }

    @Test func auditLogIsAppendOnly() async throws {
        let f = try await TenantFixture.make()
        #expect(try await f.count(as: f.a.user, "SELECT 1 FROM audit_log") > 0)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("UPDATE audit_log SET action = 'nothing'", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("DELETE FROM audit_log", logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO audit_log (tenant_id, actor, action, target_type) VALUES (\(f.b.user.rawValue), 'x', 'forged', 'user')",
                    logger: f.db.logger)
            } == PostgresError.Code.insufficientPrivilege.raw)
    }

    @Test func runtimeRoleIsUnprivileged() async throws {
        let f = try await TenantFixture.make()
        let (superuser, bypass) = try await f.db.asTenant(nil) { connection in
            try await connection.query(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", logger: f.db.logger
            ).collect().first!.decode((Bool, Bool).self)
        }
        #expect(!superuser && !bypass)
        let owned = try await f.db.asTenant(nil) { connection in
            try await connection.query(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname IN (current_user, 'agent_runtime')",
                logger: f.db.logger
            ).collect().first!.decode(Int.self)
        }
        #expect(owned == 0)
        let unforced = try await f.db.admin.query(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'schema_migrations' AND NOT (relrowsecurity AND relforcerowsecurity)",
            logger: f.db.logger
        ).collect().first!.decode(Int.self)
        #expect(unforced == 0)
    }
}
