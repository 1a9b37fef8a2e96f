import AgentStore
import AgentTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite struct AgentAndUserTests {
    @Test func agentLifecycle() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        try await db.store.withTenant(user) { session in
            let created = try await session.createAgent(NewAgent(name: "Helper", systemPrompt: "Be brief."))
            #expect(created.model == "gpt-3.5-turbo")
            #expect(created.temperature == 0.7)
            #expect(created.userID == user)
            #expect(created.id.rawValue.count == 36)

            let changed = try await session.updateAgent(
                created.id, AgentChanges(name: "Renamed", description: .some("d"), temperature: 1.5, maxTokens: .some(256)))
            #expect(changed.name == "Renamed" && changed.description == "d" && changed.maxTokens == 256)
            #expect(changed.updatedAt > created.updatedAt || changed.updatedAt == created.updatedAt)
            let cleared = try await session.updateAgent(created.id, AgentChanges(description: .some(nil), maxTokens: .some(nil)))
            #expect(cleared.description == nil && cleared.maxTokens == nil && cleared.name == "Renamed")
            #expect(try await session.agent(created.id) == cleared)

            try await session.deleteAgent(created.id)
            await #expect(throws: StoreError.notFound(resource: "agent")) { try await session.agent(created.id) }
            await #expect(throws: StoreError.notFound(resource: "agent")) { try await session.deleteAgent(created.id) }
        }
    }

    @Test func updatedAtIsMaintainedByTheDatabase() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let agent = try await db.store.withTenant(user) {
            try await $0.createAgent(NewAgent(name: "A", systemPrompt: "p"))
        }
        try await Task.sleep(for: .milliseconds(20))
        let changed = try await db.store.withTenant(user) { try await $0.updateAgent(agent.id, AgentChanges(name: "B")) }
        #expect(changed.updatedAt > agent.updatedAt)
        #expect(changed.createdAt == agent.createdAt)
    }

    /// An empty change (a PATCH of `{}`) changes nothing: not `updated_at`, and no audit entry says it did.
    @Test func anEmptyChangeLeavesAgentsAndConnectionsAsTheyAre() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        // Created in a transaction of their own: `now()` is a transaction's start, so an update in the same
        // one would keep `updated_at` whatever it did.
        let (agent, connection, entries) = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "A", systemPrompt: "p"))
            let connection = try await session.createConnection(NewAPIConnection(name: "c", service: "s", apiKey: "sk-1234"))
            return (agent, connection, try await session.auditLog(PageRequest(limit: 100, order: .descending)).items.count)
        }
        try await Task.sleep(for: .milliseconds(20))
        try await db.store.withTenant(user) { session async throws in
            #expect(try await session.updateAgent(agent.id, AgentChanges()).updatedAt == agent.updatedAt)
            #expect(try await session.updateConnection(connection.id, APIConnectionChanges()).updatedAt == connection.updatedAt)
            #expect(try await session.auditLog(PageRequest(limit: 100, order: .descending)).items.count == entries)
            await #expect(throws: StoreError.notFound(resource: "agent")) {
                try await session.updateAgent(AgentID(rawValue: "00000000-0000-7000-8000-000000000000")!, AgentChanges())
            }
        }
        // The same change with a field does move it: the check above could fail.
        let renamed = try await db.store.withTenant(user) { try await $0.updateAgent(agent.id, AgentChanges(name: "B")) }
        #expect(renamed.updatedAt > agent.updatedAt)
    }

    /// An audit page's targets by their current names, the tenant's own only: another tenant's entry names
    /// nothing of the first's, though it holds the same ids, and a target deleted has no name.
    @Test func auditTargetsAreNamedWhileTheyExist() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let other = try await db.makeUser()
        let entries = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "Named agent", systemPrompt: "p"))
            _ = try await session.updateAgent(agent.id, AgentChanges(name: "Renamed agent"))
            let key = try await session.createConnection(
                NewAPIConnection(name: "Named key", service: "openai", apiKey: "sk-1234"))
            try await session.attachConnection(agentID: agent.id, connectionID: key.id)
            let gone = try await session.createAgent(NewAgent(name: "Gone", systemPrompt: "p"))
            _ = try await session.deleteAgent(gone.id)
            return try await session.auditLog(PageRequest(limit: 100, order: .descending)).items
        }
        let names = try await db.store.withTenant(user) { try await $0.targetNames(of: entries) }
        let named = Set(entries.compactMap { names.name(of: $0) })
        #expect(named == ["Renamed agent", "Named key"])
        #expect(entries.filter { $0.targetType == "agent" && names.name(of: $0) == nil }.count == 2)
        // The link's entry targets the agent and names the connection in its details.
        let link = try #require(entries.first { $0.action == AuditAction.connectionLinked.rawValue })
        #expect(names.name(of: link) == "Renamed agent" && names.detailedConnectionName(of: link) == "Named key")
        let seenByOther = try await db.store.withTenant(other) { try await $0.targetNames(of: entries) }
        #expect(entries.allSatisfy { seenByOther.name(of: $0) == nil })
    }

    @Test(arguments: [
        (NewAgent(name: "", systemPrompt: "p"), StoreField.name),
        (NewAgent(name: String(repeating: "x", count: 201), systemPrompt: "p"), .name),
        (NewAgent(name: "a\u{0}b", systemPrompt: "p"), .name),
        (NewAgent(name: "a", systemPrompt: "p", temperature: 2.5), .temperature),
        (NewAgent(name: "a", systemPrompt: "p", temperature: -0.1), .temperature),
        (NewAgent(name: "a", systemPrompt: "p", maxTokens: 0), .maxTokens),
        (NewAgent(name: "a", systemPrompt: "p", model: ""), .model),
    ])
    func invalidAgentsNameTheField(agent: NewAgent, field: StoreField) async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        await #expect {
            try await db.store.withTenant(user) { try await $0.createAgent(agent) }
        } throws: { error in
            guard case StoreError.invalid(let named, _) = error else { return false }
            return named == field
        }
    }

    @Test func checkConstraintsHoldForRawInserts() async throws {
        let f = try await TenantFixture.make()
        for (column, value) in [("temperature", "3"), ("max_tokens", "-1")] {
            #expect(
                await f.sqlState(as: f.a.user) {
                    try await $0.query(
                        "INSERT INTO agents (name, system_prompt, \(unescaped: column)) VALUES ('n', 'p', \(value)::numeric)",
                        logger: f.db.logger)
                } == "23514")
        }
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query(
                    "INSERT INTO agent_messages (agent_id, role, content, conversation_id) VALUES (\(f.a.agent.id), 'robot', 'x', 'c')",
                    logger: f.db.logger)
            } == "23514")
        #expect(
            await f.sqlState(as: f.a.user) {
                try await $0.query("UPDATE agent_feedback SET rating = 5", logger: f.db.logger)
            } == "23514")
    }

    /// Migration 31: a deleted account's audit entries outlive it, but an account created later under the same
    /// id (an operator's `--id`, a JSON Web Token's subject again) reads only its own, written since it was.
    @Test func anAccountCreatedAgainUnderAnIDReadsNoneOfTheDeletedOnesLog() async throws {
        let f = try await TenantFixture.make()
        _ = try await f.db.store.withTenant(f.a.user) { try await $0.deleteCurrentUser() }
        _ = try await f.db.store.createUser(NewUser(id: f.a.user, email: "someone-else@example.test"))
        let entries = try await f.db.store.withTenant(f.a.user) { session in
            _ = try await session.updateCurrentUser(UserChanges(displayName: "Someone else"))
            return try await session.auditLog(PageRequest(limit: 100, order: .ascending)).items
        }
        #expect(entries.map(\.action) == ["user.updated"])
        let kept = try await f.db.admin.query(
            "SELECT count(*) FROM audit_log WHERE tenant_id = \(f.a.user.rawValue) AND action <> 'user.updated'",
            logger: f.db.logger
        ).collect().first!.decode(Int.self)
        #expect(kept > 1, "the earlier account's entries are kept for the administrator")
    }

    /// A user's own correction (the right to rectification): a field set, a name cleared, an email another
    /// account has refused as a conflict, a malformed one as invalid; no change writes nothing.
    @Test func aUserCorrectsTheirEmailAndName() async throws {
        let f = try await TenantFixture.make()
        let other = try await f.db.store.withTenant(f.b.user) { try await $0.currentUser().email }
        try await f.db.store.withTenant(f.a.user) { session in
            let named = try await session.updateCurrentUser(UserChanges(email: "new-a@example.test", displayName: "A"))
            #expect(named.email == "new-a@example.test" && named.displayName == "A" && named.updatedAt > named.createdAt)
            #expect(try await session.updateCurrentUser(UserChanges(displayName: .some(nil))).displayName == nil)
            #expect(try await session.updateCurrentUser(UserChanges()).email == "new-a@example.test")
        }
        await #expect(throws: StoreError.conflict(field: .email, reason: "a user with this email already exists")) {
            try await f.db.store.withTenant(f.a.user) { try await $0.updateCurrentUser(UserChanges(email: other.uppercased())) }
        }
        await #expect(throws: StoreError.invalid(field: .email, reason: "must be an email address")) {
            try await f.db.store.withTenant(f.a.user) { try await $0.updateCurrentUser(UserChanges(email: "no at sign")) }
        }
        let updates = try await f.db.store.withTenant(f.a.user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .userUpdated).items
        }
        #expect(updates.count == 2)
    }

    @Test func usersAreUniqueByEmailAndDeleteCascades() async throws {
        let f = try await TenantFixture.make()
        let email = try await f.db.store.withTenant(f.a.user) { try await $0.currentUser().email }
        await #expect(throws: StoreError.conflict(field: .email, reason: "a user with this email already exists")) {
            try await f.db.store.createUser(NewUser(email: email.uppercased()))
        }
        await #expect(throws: StoreError.self) { try await f.db.store.createUser(NewUser(email: "not-an-email")) }

        _ = try await f.db.store.withTenant(f.a.user) { try await $0.deleteCurrentUser() }
        for table in [
            "agents", "api_connections", "agent_api_connections", "agent_messages", "agent_conversations", "agent_feedback",
        ] {
            let left = try await f.db.admin.query(
                "SELECT count(*) FROM \(unescaped: table) WHERE \(unescaped: table == "agent_messages" || table == "agent_feedback" || table == "agent_conversations" ? "owner_id" : "user_id") = \(f.a.user.rawValue)",
                logger: f.db.logger
            ).collect().first!.decode(Int.self)
            #expect(left == 0, "\(table)")
        }
        // The audit entry of the deletion outlives the user; B is untouched.
        let audit = try await f.db.admin.query(
            "SELECT count(*) FROM audit_log WHERE tenant_id = \(f.a.user.rawValue) AND action = 'user.deleted'",
            logger: f.db.logger
        ).collect().first!.decode(Int.self)
        #expect(audit == 1)
        #expect(
            try await f.db.store.withTenant(f.b.user) { try await $0.agents(PageRequest(order: .descending)).items.count } == 1)
    }

    @Test func agentsPageByKeysetInBothDirections() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let ids = try await db.store.withTenant(user) { session in
            var ids: [String] = []
            for index in 0..<7 {
                ids.append(try await session.createAgent(NewAgent(name: "a\(index)", systemPrompt: "p")).id.rawValue)
            }
            return ids
        }
        let newestFirst = Array(ids.reversed())
        let seen = try await PageWalk.forward { after in
            let page = try await db.store.withTenant(user) {
                try await $0.agents(PageRequest(limit: 3, cursor: after.map { .after($0) }, order: .descending))
            }
            return PageWalk.Step(page) { $0.id.rawValue }
        }
        #expect(seen == newestFirst)

        // Backwards from the end.
        let back = try await PageWalk.backward(from: newestFirst.last!) { before in
            let page = try await db.store.withTenant(user) {
                try await $0.agents(PageRequest(limit: 2, cursor: .before(before), order: .descending))
            }
            return PageWalk.Step(page) { $0.id.rawValue }
        }
        #expect(back + [newestFirst.last!] == newestFirst)

        await #expect(throws: StoreError.invalid(field: .cursorAfter, reason: "names no item of this listing")) {
            try await db.store.withTenant(user) { try await $0.agents(PageRequest(cursor: .after("nope"), order: .descending)) }
        }
        await #expect(throws: StoreError.self) {
            try await db.store.withTenant(user) { try await $0.agents(PageRequest(limit: 101, order: .descending)) }
        }
    }

    /// The OpenAI-compatible endpoint's models are the tenant's agents, oldest first, read without their
    /// prompts, and at most as many as asked.
    @Test func agentModelsAreTheOldestAgentsOfTheTenant() async throws {
        let f = try await TenantFixture.make()
        let (first, second) = try await f.db.store.withTenant(f.a.user) { session in
            (
                try await session.createAgent(NewAgent(name: "one", systemPrompt: String(repeating: "p", count: 100_000))),
                try await session.createAgent(NewAgent(name: "two", systemPrompt: "p"))
            )
        }
        let all = try await f.db.store.withTenant(f.a.user) { try await $0.agentModels() }
        #expect(all.map(\.id) == [f.a.agent.id, first.id, second.id])
        let two = try await f.db.store.withTenant(f.a.user) { try await $0.agentModels(limit: 2) }
        #expect(two.map(\.id) == [f.a.agent.id, first.id])
        #expect(try await f.db.store.withTenant(f.b.user) { try await $0.agentModels() }.map(\.id) == [f.b.agent.id])
    }
}
