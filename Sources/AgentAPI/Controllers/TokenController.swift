import AgentStore
import Hummingbird

/// `/v1/tokens`: the user's personal API tokens.
struct TokenController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.delete("{token_id}", use: revoke)
    }

    // MARK: Handlers

    /// Issues a token; the response is the only place its value ever appears.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let name = try await request.decodeJSONIfPresent(as: CreateTokenBody.self, context: context)?.name ?? ""
        let issued = try await store.withTenant(of: context) { try await $0.createToken(name: name) }
        var response = try Response.json(IssuedTokenBody(token: TokenBody(issued.token), value: issued.value), status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let tokens = try await store.withTenant(of: context) { try await $0.tokens(page) }
        return try .json(ListBody(tokens, TokenBody.init))
    }

    /// Revokes a token; requests presenting it fail from now on.
    @Sendable func revoke(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.id("token_id", of: "token")
        try await store.withTenant(of: context) { try await $0.revokeToken(id) }
        return .noContent
    }
}
