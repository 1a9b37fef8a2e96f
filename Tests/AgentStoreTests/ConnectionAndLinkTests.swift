import AgentSecrets
import AgentStore
import AgentTestSupport
import PostgresNIO
import Testing

@Suite struct ConnectionAndLinkTests {
    @Test func connectionsKeepTheirKeySealed() async throws {
        let f = try await TenantFixture.make()
        let key = "sk-live-0123456789abcdefghij"
        let created = try await f.db.store.withTenant(f.a.user) { session in
            try await session.createConnection(
                NewAPIConnection(name: "OpenAI", service: "openai", apiKey: key, metadata: .object(["org": .string("x")])))
        }
        #expect(created.apiKeyHint.hasSuffix("ghij"))
        SecretCheck.expectAbsent(key, in: String(describing: created))
        let stored = try await f.db.admin.query(
            "SELECT api_key FROM api_connections WHERE id = \(created.id)", logger: f.db.logger
        )
        .collect().first!.decode(String.self)
        SecretCheck.expectAbsent(key, "0123456789", in: stored)

        let opened = try await f.db.store.withAPIKey(of: f.a.user, connectionID: created.id) { $0.exposedValue }
        #expect(opened == key)
        let updated = try await f.db.store.withTenant(f.a.user) { session in
            try await session.updateConnection(created.id, APIConnectionChanges(name: "Renamed", apiKey: "sk-new-key-zzzz9999"))
        }
        #expect(updated.name == "Renamed" && updated.apiKeyHint.hasSuffix("9999") && updated.metadata == created.metadata)

        // B can neither see nor open A's connection.
        await #expect(throws: StoreError.notFound(resource: "connection")) {
            try await f.db.store.withAPIKey(of: f.b.user, connectionID: created.id) { $0.exposedValue }
        }
        let actions = try await f.db.store.withTenant(f.a.user) {
            try await $0.auditLog(PageRequest(limit: 100, order: .ascending)).items.map(\.action)
        }
        #expect(
            actions.contains("connection.created") && actions.contains("connection.opened")
                && actions.contains("connection.updated"))
        // The update's entry names what changed (a key replaced, told from a rename), not the values.
        let update = try await f.db.store.withTenant(f.a.user) {
            try await $0.auditLog(PageRequest(limit: 10, order: .ascending), action: .connectionUpdated).items
        }
        #expect(update.map(\.details) == [.object(["fields": .array([.string("name"), .string("api_key")])])])
        #expect(!"\(update)".contains("zzzz9999") && !"\(update)".contains("Renamed"))

        try await f.db.store.withTenant(f.a.user) { try await $0.deleteConnection(created.id) }
        await #expect(throws: StoreError.notFound(resource: "connection")) {
            try await f.db.store.withTenant(f.a.user) { try await $0.connection(created.id) }
        }
    }

    /// A key opened for a call that then failed was still opened: the audit entry stays, with its purpose.
    @Test func anOpeningForACallThatFailedIsStillAudited() async throws {
        let f = try await TenantFixture.make()
        let created = try await f.db.store.withTenant(f.a.user) {
            try await $0.createConnection(NewAPIConnection(name: "Provider", service: "openai", apiKey: "sk-audited-0001"))
        }
        struct ProviderRefused: Error {}
        await #expect(throws: ProviderRefused.self) {
            try await f.db.store.withAPIKey(of: f.a.user, connectionID: created.id, purpose: .completion) { _ in
                throw ProviderRefused()
            }
        }
        let openings = try await f.db.store.withTenant(f.a.user) {
            try await $0.auditLog(PageRequest(limit: 100, order: .ascending)).items.filter { $0.action == "connection.opened" }
        }
        #expect(openings.count == 1 && openings.first?.targetID == created.id.rawValue)
        let purpose = try await f.db.admin.query(
            "SELECT details->>'purpose' FROM audit_log WHERE action = 'connection.opened' AND target_id = \(created.id.rawValue)",
            logger: f.db.logger
        ).collect().first?.decode(String.self)
        #expect(purpose == KeyPurpose.completion.rawValue)
    }

    /// An update checked against the connection as read applies only while its service and metadata are
    /// those: two concurrent updates cannot combine a service and a base URL that neither checked.
    @Test func aCheckedUpdateRefusesAConnectionChangedMeanwhile() async throws {
        let f = try await TenantFixture.make()
        let read = try await f.db.store.withTenant(f.a.user) { session in
            try await session.createConnection(
                NewAPIConnection(
                    name: "Local", service: "custom", apiKey: "sk-x",
                    metadata: .object(["base_url": .string("http://127.0.0.1:9")])))
        }
        // Another update lands between this one's check and its write.
        _ = try await f.db.store.withTenant(f.a.user) { session in
            try await session.updateConnection(read.id, APIConnectionChanges(service: "openai", apiKey: "sk-y"))
        }
        await #expect(throws: StoreError.self) {
            try await f.db.store.withTenant(f.a.user) { session in
                try await session.updateConnection(read.id, APIConnectionChanges(name: "Renamed"), checked: read)
            }
        }
        let kept = try await f.db.store.withTenant(f.a.user) { try await $0.connection(read.id) }
        #expect(kept.name == "Local" && kept.service == "openai")
        // Checked against what is stored, it applies.
        let renamed = try await f.db.store.withTenant(f.a.user) { session in
            try await session.updateConnection(read.id, APIConnectionChanges(name: "Renamed"), checked: kept)
        }
        #expect(renamed.name == "Renamed")
    }

    /// A reply tries an agent's connections in the order they were linked, whatever order they were made
    /// in; `connectionsInCallOrder` lists them in that order (what a page that says "in this order" shows),
    /// where the paged listing goes by the connections' own age.
    @Test func connectionsAreListedInTheOrderRepliesTryThem() async throws {
        let f = try await TenantFixture.make()
        let (start, inCallOrder, byAge, later) = try await f.db.store.withTenant(f.a.user) { session in
            let later = try await session.createConnection(
                NewAPIConnection(name: "made later", service: "anthropic", apiKey: "sk-ant-0123456789abcdef"))
            try await session.detachConnection(agentID: f.a.agent.id, connectionID: f.a.connection.id)
            // Linked first, though made later; then the older one.
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: later.id)
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: f.a.connection.id)
            let start = try await session.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "order")!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
            return (
                start, try await session.connectionsInCallOrder(ofAgent: f.a.agent.id),
                try await session.connections(ofAgent: f.a.agent.id, PageRequest(order: .ascending)), later.id
            )
        }
        #expect(start.connections.map(\.id) == [later, f.a.connection.id])
        #expect(inCallOrder.map(\.id) == start.connections.map(\.id))
        #expect(byAge.items.map(\.id) == [f.a.connection.id, later])
        #expect(try await f.db.store.withTenant(f.b.user) { try await $0.connectionsInCallOrder(ofAgent: f.a.agent.id) }.isEmpty)
    }

    /// An order set by the tenant is the order a reply tries the connections in, and the order listed; one
    /// linked afterwards comes last. An order must name every linked connection once and nothing else; another
    /// tenant's agent is not found, and the change is audited.
    @Test func anOrderSetIsTheOrderRepliesTry() async throws {
        let f = try await TenantFixture.make()
        let first = f.a.connection.id
        let (second, third) = try await Self.linkTwoMore(f)
        let (reordered, tried, listed) = try await f.db.store.withTenant(f.a.user) { session in
            let reordered = try await session.setConnectionOrder(ofAgent: f.a.agent.id, to: [third, first, second])
            let start = try await session.beginReply(
                agentID: f.a.agent.id, conversationID: ConversationID(rawValue: "reordered")!, NewReply(content: "hello"),
                limits: .unlimited, budget: ContextBudget())
            return (
                reordered, start.connections.map(\.id), try await session.connectionsInCallOrder(ofAgent: f.a.agent.id).map(\.id)
            )
        }
        #expect(reordered == [third, first, second])
        #expect(tried == reordered && listed == reordered)

        let refusals: [([ConnectionID], String)] = [
            ([third, first, second, first], "names a connection more than once"),
            ([third, first], "must name every linked connection (one is missing)"),
            ([third, first, second, f.b.connection.id], "names a connection that is not linked to the agent"),
        ]
        for (order, reason) in refusals {
            await #expect(throws: StoreError.invalid(field: .connectionOrder, reason: reason)) {
                try await f.db.store.withTenant(f.a.user) { try await $0.setConnectionOrder(ofAgent: f.a.agent.id, to: order) }
            }
        }
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await f.db.store.withTenant(f.b.user) { try await $0.setConnectionOrder(ofAgent: f.a.agent.id, to: []) }
        }
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await f.db.store.withTenant(f.b.user) { try await $0.connectionOrder(ofAgent: f.a.agent.id) }
        }

        // The same order again changes and records nothing.
        _ = try await f.db.store.withTenant(f.a.user) {
            try await $0.setConnectionOrder(ofAgent: f.a.agent.id, to: [third, first, second])
        }
        let (afterUnlinkAndLink, entries) = try await f.db.store.withTenant(f.a.user) { session in
            let fourth = try await session.createConnection(
                NewAPIConnection(name: "fourth", service: "openai", apiKey: "sk-fedcba9876543210"))
            try await session.detachConnection(agentID: f.a.agent.id, connectionID: first)
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: fourth.id)
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: first)
            return (
                try await session.connectionOrder(ofAgent: f.a.agent.id).map(\.rawValue) == [
                    third.rawValue, second.rawValue, fourth.id.rawValue, first.rawValue,
                ],
                try await session.auditLog(PageRequest(order: .descending), action: .connectionsReordered).items
            )
        }
        // Linked after the order was set: last, in the order of linking (the first one, linked again, too).
        #expect(afterUnlinkAndLink)
        #expect(entries.count == 1 && entries.first?.targetID == f.a.agent.id.rawValue)
        #expect(
            entries.first?.details
                == .object(["connection_ids": .array([third, first, second].map { .string($0.rawValue) })]))
    }

    /// Two moves of one connection made at once both count: each reads the order under the links' lock.
    @Test func movesMadeAtOnceBothCount() async throws {
        let f = try await TenantFixture.make()
        let (second, third) = try await Self.linkTwoMore(f)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    _ = try await f.db.store.withTenant(f.a.user) {
                        try await $0.moveConnectionEarlier(third, ofAgent: f.a.agent.id)
                    }
                }
            }
            try await group.waitForAll()
        }
        let order = try await f.db.store.withTenant(f.a.user) { try await $0.connectionOrder(ofAgent: f.a.agent.id) }
        #expect(order == [third, f.a.connection.id, second])
        await #expect(throws: StoreError.notFound(resource: "link")) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.moveConnectionEarlier(f.b.connection.id, ofAgent: f.a.agent.id)
            }
        }
    }

    /// Two connections more for tenant A's agent, linked after the fixture's: the second and third tried.
    static func linkTwoMore(_ f: TenantFixture) async throws -> (second: ConnectionID, third: ConnectionID) {
        try await f.db.store.withTenant(f.a.user) { session in
            let second = try await session.createConnection(
                NewAPIConnection(name: "second", service: "openai", apiKey: "sk-0123456789abcdef"))
            let third = try await session.createConnection(
                NewAPIConnection(name: "third", service: "anthropic", apiKey: "sk-ant-0123456789abcdef"))
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: second.id)
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: third.id)
            return (second.id, third.id)
        }
    }

    @Test func linksBothWaysAndAcrossTenantsRefused() async throws {
        let f = try await TenantFixture.make()
        try await f.db.store.withTenant(f.a.user) { session in
            try await session.attachConnection(agentID: f.a.agent.id, connectionID: f.a.connection.id)  // again: no-op
            let connections = try await session.connections(ofAgent: f.a.agent.id, PageRequest(order: .descending))
            #expect(connections.items.map(\.id) == [f.a.connection.id])
            let agents = try await session.agents(usingConnection: f.a.connection.id, PageRequest(order: .descending))
            #expect(agents.items.map(\.id) == [f.a.agent.id])
            try await session.detachConnection(agentID: f.a.agent.id, connectionID: f.a.connection.id)
            #expect(try await session.connections(ofAgent: f.a.agent.id, PageRequest(order: .descending)).items.isEmpty)
        }
        await #expect(throws: StoreError.notFound(resource: "connection")) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.attachConnection(agentID: f.a.agent.id, connectionID: f.b.connection.id)
            }
        }
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.connections(ofAgent: f.b.agent.id, PageRequest(order: .descending))
            }
        }
        // B's agent and connection, which the fixture linked: A linking them is not found, as if no link
        // existed (the unique index spans tenants, and a conflict there must not read as done).
        await #expect(throws: StoreError.notFound(resource: "agent")) {
            try await f.db.store.withTenant(f.a.user) {
                try await $0.attachConnection(agentID: f.b.agent.id, connectionID: f.b.connection.id)
            }
        }
    }
}
