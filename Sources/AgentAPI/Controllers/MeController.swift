import AgentStore
import Hummingbird

/// `/v1/me`: the authenticated user, their deletion and their data export.
struct MeController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: show)
        group.delete(use: delete)
        group.get("export", use: export)
    }

    // MARK: Handlers

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let user = try await store.withTenant(of: context) { try await $0.currentUser() }
        return try .json(UserBody(user))
    }

    /// Deletes the user and, by cascade, everything of theirs; their tokens stop working with them.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await store.withTenant(of: context) { try await $0.deleteCurrentUser() }
        return .noContent
    }

    /// Streams all of the user's data as one JSON document, page by page.
    @Sendable func export(_ request: Request, context: APIRequestContext) async throws -> Response {
        // Read the user first, so a missing user is a clean 404 rather than a broken stream.
        let user = try await store.withTenant(of: context) { try await $0.currentUser() }
        let export = AccountExport(store: store, user: user, requestID: context.requestID, logger: context.logger)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json; charset=utf-8",
                .contentDisposition: "attachment; filename=\"agent-platform-export.json\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody { writer in try await export.write(to: &writer) })
    }
}
