import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import AgentStore

/// Migration 6: nobody creates objects in `public`, platform functions resolve names in a fixed path,
/// runtime statements are bounded, the operator writes only its own audit entries, and token scopes are
/// checked by the database.
@Suite struct HardeningSchemaTests {
    let db: TestDatabase

    init() async throws { db = try await TestDatabase.make() }

    /// The SQLSTATE a statement fails with, run in a transaction that is rolled back; `nil` if it succeeds.
    func failure(
        _ client: PostgresClient, role: String? = nil, _ statement: PostgresQuery
    ) async throws -> String? {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: db.logger)
            if let role { try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL ROLE \(role)"), logger: db.logger) }
            do {
                try await connection.query(statement, logger: db.logger)
                try await connection.query("ROLLBACK", logger: db.logger)
                return nil
            } catch let error as PSQLError {
                try await connection.query("ROLLBACK", logger: db.logger)
                return error.serverInfo?[.sqlState]
            }
        }
    }

    @Test func runtimeLoginHasAStatementTimeout() async throws {
        let shown = try await db.runtime.query("SHOW statement_timeout", logger: db.logger).collect().first?.decode(String.self)
        #expect(shown == PlatformDatabase.runtimeStatementTimeout)
    }

    @Test func runtimeCannotCreateInPublic() async throws {
        #expect(try await failure(db.runtime, "CREATE TABLE public.planted (x int)") == "42501")
        #expect(try await failure(db.runtime, "CREATE FUNCTION public.now() RETURNS int LANGUAGE sql AS 'SELECT 1'") == "42501")
    }

    /// The platform's own functions, not an extension's (`btree_gin`, migration 24).
    @Test func platformFunctionsHaveAFixedSearchPathButThoseThatSetTheTenant() async throws {
        let rows = try await db.admin.query(
            """
            SELECT p.proname, coalesce(array_to_string(p.proconfig, ';'), '') FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """, logger: db.logger
        ).collect()
        var settings: [String: String] = [:]
        for row in rows {
            let (name, config) = try row.decode((String, String).self)
            settings[name] = config
        }
        #expect(settings.count >= 7)
        for (name, config) in settings {
            if [
                "authenticate_token", "authenticate_console_session", "settle_provider_call", "settle_reply",
                "start_completion", "tenant_agents_page", "tenant_conversation_page", "tenant_conversation_messages",
            ].contains(name) {
                #expect(config.isEmpty, "a SET clause would revert the tenant the check sets")
            } else if ["current_user_id", "new_time_ordered_id"].contains(name) {
                #expect(config.isEmpty, "a SET clause keeps the planner from inlining it")
            } else {
                #expect(config == "search_path=pg_catalog, public", "\(name)")
            }
        }
    }

    /// Migration 22: the token check without scopes, which set the tenant for any valid token, is gone.
    @Test func theTokenCheckWithoutScopesIsGone() async throws {
        let rows = try await db.admin.query(
            "SELECT to_regprocedure('public.authenticate_token(text, bytea)') IS NULL", logger: db.logger
        ).collect()
        #expect(try rows.first?.decode(Bool.self) == true)
    }

    /// Migration 17: a token check told no scopes accepts none. `NOT (granted && NULL)` is NULL, and the
    /// check once kept the tenant set for it; no caller passes NULL, and none can now depend on that.
    @Test func aTokenCheckWithNullScopesSetsNoTenant() async throws {
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { try await $0.createToken(name: "t") }
        let presented = try #require(PresentedToken(issued.value))
        let tenant = try await db.runtime.withConnection { connection in
            try await connection.query("BEGIN", logger: db.logger)
            _ = try await connection.query(
                "SELECT public.authenticate_token(\(user.rawValue), \(presented.hash), NULL::text[])", logger: db.logger
            ).collect()
            let tenant = try await connection.query("SELECT public.current_user_id()", logger: db.logger).collect().first?
                .decode(String?.self)
            try await connection.query("ROLLBACK", logger: db.logger)
            return tenant
        }
        #expect(tenant == nil)
    }

    /// Migration 10: the policies' tenant lookup is inlined (a function call with a SET clause cost most of
    /// what row-level security cost), and its body resolves nothing through the caller's search path.
    @Test func policiesReadTheTenantInline() async throws {
        let user = try await db.makeUser()
        let plan = try await db.runtime.withConnection { connection in
            try await connection.query("BEGIN", logger: db.logger)
            try await connection.query("SELECT set_config('app.current_user_id', \(user.rawValue), true)", logger: db.logger)
            let lines = try await connection.query("EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM agents", logger: db.logger)
                .collect().map { try $0.decode(String.self) }
            try await connection.query("ROLLBACK", logger: db.logger)
            return lines.joined(separator: "\n")
        }
        #expect(plan.contains("current_setting('app.current_user_id'"), "\(plan)")
        #expect(!plan.contains("current_user_id()"), "\(plan)")
        let body = try await db.admin.query("SELECT prosrc FROM pg_proc WHERE proname = 'current_user_id'", logger: db.logger)
            .collect().first?.decode(String.self)
        let source = try #require(body)
        #expect(!source.contains("NULLIF") && source.contains("OPERATOR(pg_catalog.=)"))
    }

    /// An unset or emptied tenant still reads as none: the inlined lookup keeps the old function's NULL.
    @Test func anUnsetOrEmptyTenantSeesNothing() async throws {
        let user = try await db.makeUser()
        _ = try await db.store.withTenant(user) { try await $0.createAgent(NewAgent(name: "seen", systemPrompt: "p")) }
        for setting in ["", nil] as [String?] {
            let seen = try await db.runtime.withConnection { connection in
                try await connection.query("BEGIN", logger: db.logger)
                if let setting {
                    try await connection.query("SELECT set_config('app.current_user_id', \(setting), true)", logger: db.logger)
                }
                let row = try await connection.query(
                    "SELECT count(*), current_user_id() IS NULL FROM agents", logger: db.logger
                ).collect().first?.decode((Int, Bool).self)
                try await connection.query("ROLLBACK", logger: db.logger)
                return row
            }
            #expect(seen?.0 == 0 && seen?.1 == true)
        }
    }

    @Test func operatorWritesOnlyItsOwnAuditEntries() async throws {
        let user = try await db.makeUser()
        let intoTenant: PostgresQuery =
            "INSERT INTO audit_log (tenant_id, actor, action, target_type) VALUES (\(user.rawValue), 'operator', 'x', 'user')"
        #expect(try await failure(db.admin, role: "agent_operator", intoTenant) == "42501")
        let ownEntry: PostgresQuery =
            "INSERT INTO audit_log (tenant_id, actor, action, target_type) VALUES (NULL, 'operator', 'x', 'keyring')"
        #expect(try await failure(db.admin, role: "agent_operator", ownEntry) == nil)
    }

    @Test func tokenScopesAreCheckedByTheDatabase() async throws {
        let user = try await db.makeUser()
        for scopes in [["root"], [], ["read", "read", "write", "admin"]] {
            let insert: PostgresQuery =
                "INSERT INTO api_tokens (user_id, token_hash, scopes) VALUES (\(user.rawValue), convert_to(gen_random_uuid()::text, 'UTF8'), \(scopes))"
            #expect(try await failure(db.admin, insert) == "23514", "\(scopes)")
        }
    }

    @Test func expiredTokenDoesNotAuthenticate() async throws {
        let user = try await db.makeUser()
        let issued = try await db.store.withTenant(user) { try await $0.createToken(expiresInDays: 1) }
        #expect(try await db.store.authenticate(token: issued.value) == user)
        try await db.admin.query(
            "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = \(issued.token.id.rawValue)",
            logger: db.logger)
        #expect(try await db.store.authenticate(token: issued.value) == nil)
    }
}
