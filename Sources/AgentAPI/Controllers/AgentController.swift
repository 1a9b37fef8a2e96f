import AgentReplies
import AgentStore
import Hummingbird

/// `/v1/agents`: the tenant's agents.
struct AgentController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{agent_id}", use: show)
        group.patch("{agent_id}", use: update)
        group.delete("{agent_id}", use: delete)
    }

    // MARK: Handlers

    /// `createAgent`: 201 with the new agent.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<AgentBody> {
        let body = try await request.decode(as: CreateAgentBody.self, context: context)
        let agent = try await store.withTenant(of: context) { try await $0.createAgent(body.newAgent) }
        return .created(AgentBody(agent), at: "v1", "agents", agent.id.rawValue)
    }

    /// `listAgents`: a page of the tenant's agents, newest first by default.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<AgentBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let agents = try await store.withTenant(of: context) { try await $0.agents(page) }
        return ListBody(agents, AgentBody.init)
    }

    /// `getAgent`.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> AgentBody {
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        let agent = try await store.withTenant(of: context) { try await $0.agent(id) }
        return AgentBody(agent)
    }

    /// `updateAgent`: a partial update; the agent as it now is.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> AgentBody {
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        let body = try await request.decode(as: UpdateAgentBody.self, context: context)
        let agent = try await store.withTenant(of: context) { try await $0.updateAgent(id, body.changes) }
        return AgentBody(agent)
    }

    /// `deleteAgent`: 204.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.id(AgentID.self, "agent_id", of: "agent")
        let streaming = try await store.withTenant(of: context) { try await $0.deleteAgent(id) }
        await replies.stop(streaming, of: try context.tenant())
        return .noContent
    }
}
