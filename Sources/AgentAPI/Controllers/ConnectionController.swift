import AgentStore
import Hummingbird

/// `/v1/connections`: the tenant's third-party API credentials. Keys go in, hints come out.
struct ConnectionController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{connection_id}", use: show)
        group.patch("{connection_id}", use: update)
        group.delete("{connection_id}", use: delete)
    }

    // MARK: Handlers

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: CreateConnectionBody.self, context: context)
        let connection = try await store.withTenant(of: context) { try await $0.createConnection(body.newConnection) }
        return try .json(ConnectionBody(connection), status: .created)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let connections = try await store.withTenant(of: context) { try await $0.connections(page) }
        return try .json(ListBody(connections, ConnectionBody.init))
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("connection_id", of: "connection")
        let connection = try await store.withTenant(of: context) { try await $0.connection(id) }
        return try .json(ConnectionBody(connection))
    }

    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("connection_id", of: "connection")
        let body = try await request.decodeJSON(as: UpdateConnectionBody.self, context: context)
        let connection = try await store.withTenant(of: context) { try await $0.updateConnection(id, body.changes) }
        return try .json(ConnectionBody(connection))
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("connection_id", of: "connection")
        try await store.withTenant(of: context) { try await $0.deleteConnection(id) }
        return .noContent
    }
}
