import AgentStore
import Hummingbird

/// `/v1/tokens`: the user's personal API tokens.
struct TokenController: Sendable {
    let store: AgentStore
    /// The operator's default and longest token lifetime.
    let lifetime: TokenLifetime

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.delete("{token_id}", use: revoke)
    }

    // MARK: Handlers

    /// `createToken`: issues a token; this response is the only place its value ever appears, so it is
    /// not to be cached.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<IssuedTokenBody> {
        let body = try await context.requestDecoder.decodeIfPresent(CreateTokenBody.self, from: request, context: context)
        let scopes = try body?.tokenScopes() ?? TokenScope.all
        let issued = try await store.withTenant(of: context) {
            try await $0.createToken(
                name: body?.name ?? "", expiresInDays: body?.expiresInDays, scopes: scopes, lifetime: lifetime)
        }
        return EditedResponse(
            status: .created, headers: [.cacheControl: "no-store"],
            response: IssuedTokenBody(token: TokenBody(issued.token), value: issued.value))
    }

    /// `listTokens`: never their values.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<TokenBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let tokens = try await store.withTenant(of: context) { try await $0.tokens(page) }
        return ListBody(tokens, TokenBody.init)
    }

    /// `revokeToken`: requests presenting the token fail from now on. 204.
    @Sendable func revoke(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.id(TokenID.self, "token_id", of: "token")
        _ = try await store.withTenant(of: context) { try await $0.revokeToken(id) }
        return .noContent
    }
}
