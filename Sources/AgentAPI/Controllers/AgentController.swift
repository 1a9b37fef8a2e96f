import AgentStore
import Hummingbird

/// `/v1/agents`: the tenant's agents.
struct AgentController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{agent_id}", use: show)
        group.patch("{agent_id}", use: update)
        group.delete("{agent_id}", use: delete)
    }

    // MARK: Handlers

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: CreateAgentBody.self, context: context)
        let agent = try await store.withTenant(of: context) { try await $0.createAgent(body.newAgent) }
        return try .json(AgentBody(agent), status: .created)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let agents = try await store.withTenant(of: context) { try await $0.agents(page) }
        return try .json(ListBody(agents, AgentBody.init))
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("agent_id", of: "agent")
        let agent = try await store.withTenant(of: context) { try await $0.agent(id) }
        return try .json(AgentBody(agent))
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("agent_id", of: "agent")
        let body = try await request.decodeJSON(as: UpdateAgentBody.self, context: context)
        let agent = try await store.withTenant(of: context) { try await $0.updateAgent(id, body.changes) }
        return try .json(AgentBody(agent))
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("agent_id", of: "agent")
        try await store.withTenant(of: context) { try await $0.deleteAgent(id) }
        return .noContent
    }
}
