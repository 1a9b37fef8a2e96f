import AgentProviders
import AgentReplies
import AgentStore
import Hummingbird

/// `/v1/connections`: the tenant's third-party API credentials. Keys go in, hints come out.
struct ConnectionController: Sendable {
    let store: AgentStore
    /// Calls the connections' providers (their lists of models), each in one of the tenant's generation
    /// slots; its client's address policy says where provider calls may go: a chat connection's
    /// `metadata.base_url` is checked against it when stored, and again by every call.
    let replies: ReplyGenerator
    var addressPolicy: ProviderAddressPolicy { replies.client.addressPolicy }

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{connection_id}", use: show)
        group.patch("{connection_id}", use: update)
        group.delete("{connection_id}", use: delete)
        group.get("{connection_id}/models", use: models)
        group.head("{connection_id}/models", use: modelsHead)
    }

    // MARK: Handlers

    /// `createConnection`: 201 with the connection, which shows a hint of the key and never the key.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<ConnectionBody> {
        let body = try await request.decode(as: CreateConnectionBody.self, context: context)
        try await checkBaseURL(service: body.service, metadata: body.metadata, for: try context.tenant())
        let connection = try await store.withTenant(of: context) { try await $0.createConnection(body.newConnection) }
        return .created(ConnectionBody(connection), at: "v1", "connections", connection.id.rawValue)
    }

    /// `listConnections`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<ConnectionBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let connections = try await store.withTenant(of: context) { try await $0.connections(page) }
        return ListBody(connections, ConnectionBody.init)
    }

    /// `getConnection`.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> ConnectionBody {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let connection = try await store.withTenant(of: context) { try await $0.connection(id) }
        return ConnectionBody(connection)
    }

    /// `updateConnection`: a partial update; a new key replaces the sealed one.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> ConnectionBody {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        let body = try await request.decode(as: UpdateConnectionBody.self, context: context)
        var checked: APIConnection?
        if body.changes.service != nil || body.changes.metadata != nil {
            let stored = try await store.withTenant(of: context) { try await $0.connection(id) }
            try await checkBaseURL(
                service: body.changes.service ?? stored.service, metadata: body.changes.metadata ?? stored.metadata,
                for: try context.tenant())
            checked = stored
        }
        let connection = try await store.withTenant(of: context) { [checked] in
            try await $0.updateConnection(id, body.changes, checked: checked)
        }
        return ConnectionBody(connection)
    }

    /// `deleteConnection`: 204.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        try await store.withTenant(of: context) { try await $0.deleteConnection(id) }
        return .noContent
    }

    /// HEAD of `listConnectionModels`: what the GET would answer without asking the provider (which opens
    /// the key, takes a call's slot and an audit entry): a 404 for no such connection, a 422 for one that is
    /// no chat connection, else 200.
    @Sendable func modelsHead(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        _ = try Self.chatEndpoint(of: try await store.withTenant(of: context) { try await $0.connection(id) })
        return Response(status: .ok, headers: [.contentType: APIResponseEncoder.jsonMediaType])
    }

    /// `listConnectionModels`: the models the connection's key may use, as its provider lists them, which
    /// also shows that the provider takes the key. The key is opened for this call alone, audited with the
    /// purpose `models`; a provider's refusal is a problem as a reply's would be (502, 429, 504).
    @Sendable func models(_ request: Request, context: APIRequestContext) async throws -> ConnectionModelsBody {
        let id = try context.id(ConnectionID.self, "connection_id", of: "connection")
        // Read as the request's tenant: a personal token not checked yet is checked here, before any key opens.
        let connection = try await store.withTenant(of: context) { try await $0.connection(id) }
        return ConnectionModelsBody(try await modelNames(of: connection, requestID: context.requestID))
    }

    /// The names of the models `connection`'s key may use, from its provider; a problem when the connection
    /// is not a chat provider's, the tenant runs as many provider calls as it may, or the provider fails the
    /// call. `connection` must have been read as the request's tenant, its credential checked.
    func modelNames(of connection: APIConnection, requestID: String?) async throws -> [String] {
        let endpoint = try Self.chatEndpoint(of: connection)
        let slot = try replies.admitReply(of: connection.userID)
        slot.starts()
        defer { withExtendedLifetime(slot) {} }
        do {
            return try await store.withAPIKey(
                of: connection.userID, connectionID: connection.id, purpose: .models, requestID: requestID
            ) { key in try await replies.client.models(at: endpoint, apiKey: key, for: connection.userID.rawValue) }
        } catch let error as ProviderCallError {
            throw Problem(ReplyFailure(error))
        }
    }

    /// Where `connection`'s provider answers; a 422 when it is no chat provider's.
    static func chatEndpoint(of connection: APIConnection) throws -> ProviderEndpoint {
        guard let endpoint = ProviderEndpoint(chatService: connection.service, baseURL: connection.baseURL) else {
            throw notAChatConnection
        }
        return endpoint
    }

    static let notAChatConnection = Problem(
        .unprocessableContent, slug: "not-a-chat-connection", title: "Not a chat connection",
        detail: "Only a connection whose service is openai or anthropic, with a valid metadata.base_url if any, lists models.")

    // MARK: Base URLs

    /// A chat connection's `metadata.base_url` must be an http(s) URL whose host resolves only to public
    /// addresses, unless the operator allows that host (`PROVIDER_ALLOWED_HOSTS`). Its name is looked up on
    /// `tenant`'s share of the resolver's threads.
    ///
    /// A chat provider's name in another case (`OpenAI`) is refused first: stored as given, it was no chat
    /// provider, and its agents failed at their first reply saying they had none.
    func checkBaseURL(service: String, metadata: JSONValue?, for tenant: UserID) async throws {
        if ChatWireProtocol(service: service) == nil, let meant = ChatWireProtocol(service: service.lowercased()) {
            throw Problem.invalid(field: "service", reason: "names a chat provider only as \(meant.rawValue), in lowercase")
        }
        guard let wireProtocol = ChatWireProtocol(service: service), case .object(let members) = metadata,
            let value = members["base_url"]
        else { return }
        guard case .string(let baseURL) = value else {
            throw Problem.invalid(field: "metadata.base_url", reason: "must be a string")
        }
        let endpoint: ProviderEndpoint
        do {
            endpoint = try ProviderEndpoint(wireProtocol: wireProtocol, baseURL: baseURL)
        } catch {
            throw Problem.invalid(field: "metadata.base_url", reason: error.description)
        }
        do {
            try await addressPolicy.check(endpoint, for: tenant.rawValue)
        } catch .unreachable(.resolverUnavailable) {
            // Not the tenant's mistake: the same base URL may pass in a moment.
            throw Problem.unavailable(
                "The name service did not answer for metadata.base_url's host; try again.", retryAfterSeconds: 5)
        } catch .refusedAddress, .unreachable(.nameNotResolved) {
            // One answer for both: told apart, they would let a tenant learn which names the platform's
            // resolver knows inside its network.
            throw Problem.invalid(
                field: "metadata.base_url",
                reason: "its host \(endpoint.host) has no public address (it does not resolve, or resolves to a "
                    + "private one), and PROVIDER_ALLOWED_HOSTS does not allow it on this port")
        } catch {
            throw Problem.invalid(field: "metadata.base_url", reason: error.description)
        }
    }
}
