import AgentAPI
import AgentStore
import Foundation
import Hummingbird

/// `/tokens`: personal tokens. A new token's value is shown once, on the page that answers its creation,
/// and never again. Only a session with the `admin` scope reaches these pages, as with `/v1/tokens`.
struct TokenPages: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("tokens", use: list)
        group.post("tokens", use: create)
        group.post("tokens/{token_id}/revoke", use: revoke)
    }

    struct Row: Sendable {
        let id: String
        let name: String
        let scopes: String
        let created: String
        let expires: String
        let lastUsed: String
        let revoked: Bool
    }

    struct Page: Sendable {
        let chrome: Chrome
        let tokens: [Row]
        let next: String?
        let form: FormState
        /// The value of the token just created: shown on this response only.
        let issued: String?
        let maximumDays: Int
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await render(request, context: context, form: Self.blankForm(api), issued: nil, status: .ok)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let form = try await FormBody.read(request, limit: context.maxUploadSize)
        let ticked = TokenScope.allCases.filter { form[$0.rawValue] != nil }
        let values = Self.formValues(name: form["name"] ?? "", days: form["expires_in_days"] ?? "", ticked: ticked)
        let scopes = Set(ticked)
        do {
            var days: Int?
            if let raw = form.text("expires_in_days") {
                guard let value = Int(raw) else { throw RefusedInput(field: "expires_in_days", reason: "must be an integer") }
                days = value
            }
            let lifetime = api.configuration.tokenLifetime
            let issued = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.createToken(name: form.text("name") ?? "", expiresInDays: days, scopes: scopes, lifetime: lifetime)
            }
            return try await render(request, context: context, form: Self.blankForm(api), issued: issued.value, status: .created)
        } catch {
            // The boxes are the field `scopes` of the API, which names it when none is ticked.
            let (form, status) = try FormState.refusal(error, values: values, valueless: ["scopes"])
            return try await render(request, context: context, form: form, issued: nil, status: status)
        }
    }

    @Sendable func revoke(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let id = try context.id(TokenID.self, "token_id", of: "token")
        _ = try await api.store.withTenant(visit.userID, requestID: context.requestID) { try await $0.revokeToken(id) }
        return ConsolePages.redirect(to: "/tokens?done=token-revoked")
    }

    static func blankForm(_ api: APIParts) -> FormState {
        FormState(formValues(name: "", days: String(api.configuration.tokenLifetime.defaultDays), ticked: [.read, .write]))
    }

    /// The form's values, a scope's box ticked by its key alone: a mustache section renders for any string,
    /// the empty one included, so an unticked scope has no key rather than an empty value.
    static func formValues(name: String, days: String, ticked: [TokenScope]) -> [String: String] {
        var values = ["name": name, "expires_in_days": days]
        for scope in ticked { values[scope.rawValue] = "on" }
        return values
    }

    private func render(
        _ request: Request, context: APIRequestContext, form: FormState, issued: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let pageRequest = PageRequest(limit: 50, cursor: AgentPages.cursor(request), order: .descending)
        let (user, page) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (try await $0.currentUserIfExists(), try await $0.tokens(pageRequest))
        }
        let model = Page(
            chrome: Chrome(title: "Tokens", section: .tokens, assets: pages.assets, visit: visit, email: user?.email),
            tokens: page.items.map { token in
                Row(
                    id: token.id.rawValue, name: token.name.isEmpty ? "(unnamed)" : token.name,
                    scopes: token.scopes.map(\.rawValue).joined(separator: ", "), created: ConsoleFormat.time(token.createdAt),
                    expires: token.expiresAt.map(ConsoleFormat.time) ?? "never",
                    lastUsed: token.lastUsedAt.map(ConsoleFormat.time) ?? "never",
                    revoked: token.revokedAt != nil)
            },
            next: page.hasMore ? page.items.last.map { "/tokens?after=\(ConsoleFormat.segment($0.id.rawValue))" } : nil,
            form: form, issued: issued,
            maximumDays: api.configuration.tokenLifetime.maximumDays)
        return pages.page("tokens", model, status: status)
    }
}
