import AgentStore
import Hummingbird

/// `/v1/agents/{agent_id}/connections`: which connections an agent may use; and
/// `/v1/agents/{agent_id}/connection-order`: in which order its replies try them.
struct AgentConnectionController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>, order: RouterGroup<APIRequestContext>) {
        group.get(use: list)
        group.put("{connection_id}", use: attach)
        group.delete("{connection_id}", use: detach)
        order.get(use: callOrder)
        order.put(use: setCallOrder)
    }

    // MARK: Handlers

    /// `listAgentConnections`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<ConnectionBody> {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let connections = try await store.withTenant(of: context) { try await $0.connections(ofAgent: agentID, page) }
        return ListBody(connections, ConnectionBody.init)
    }

    /// `attachConnection`: links the connection; linking twice is fine. Answers with the connection.
    @Sendable func attach(_ request: Request, context: APIRequestContext) async throws -> ConnectionBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let connectionID = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let connection = try await store.withTenant(of: context) {
            try await $0.attachConnection(agentID: agentID, connectionID: connectionID)
        }
        return ConnectionBody(connection)
    }

    /// `detachConnection`: 204.
    @Sendable func detach(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let connectionID = try context.id(ConnectionID.self, "connection_id", of: "connection")
        try await store.withTenant(of: context) { try await $0.detachConnection(agentID: agentID, connectionID: connectionID) }
        return .noContent
    }

    /// `getConnectionOrder`.
    @Sendable func callOrder(_ request: Request, context: APIRequestContext) async throws -> ConnectionOrderBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        return ConnectionOrderBody(try await store.withTenant(of: context) { try await $0.connectionOrder(ofAgent: agentID) })
    }

    /// `setConnectionOrder`: answers with the order as it now is.
    @Sendable func setCallOrder(_ request: Request, context: APIRequestContext) async throws -> ConnectionOrderBody {
        let agentID = try context.id(AgentID.self, "agent_id", of: "agent")
        let order = try await request.decode(as: ConnectionOrderBody.self, context: context).order()
        let stored = try await store.withTenant(of: context) {
            try await $0.setConnectionOrder(ofAgent: agentID, to: order)
        }
        return ConnectionOrderBody(stored)
    }
}
