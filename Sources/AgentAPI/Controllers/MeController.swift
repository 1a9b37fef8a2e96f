import AgentReplies
import AgentStore
import Hummingbird

/// `/v1/me`: the authenticated user, their correction, their deletion and their data export.
struct MeController: Sendable {
    let store: AgentStore
    let replies: ReplyGenerator
    let exportSlots: RequestSlots
    let longestExport: Duration

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: show)
        group.patch(use: update)
        group.delete(use: delete)
        group.get("export", use: export)
        group.head("export", use: exportHead)
    }

    // MARK: Handlers

    /// `getMe`.
    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> UserBody {
        let user = try await store.withTenant(of: context) { try await $0.currentUser() }
        return UserBody(user)
    }

    /// `updateMe`: corrects the user's email or display name (the right to rectification); audited, the log
    /// naming the fields changed and not their values.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> UserBody {
        let body = try await request.decode(as: UpdateUserBody.self, context: context)
        return UserBody(try await store.withTenant(of: context) { try await $0.updateCurrentUser(body.changes) })
    }

    /// `deleteMe`: deletes the user and, by cascade, everything of theirs; their tokens stop working with them.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let streaming = try await store.withTenant(of: context) { try await $0.deleteCurrentUser() }
        await replies.stopAccount(streaming, of: try context.tenant())
        return .noContent
    }

    /// `exportAccount`: all of the user's data as one JSON document, read from one snapshot and streamed
    /// page by page.
    @Sendable func export(_ request: Request, context: APIRequestContext) async throws -> AccountExport {
        try await AccountExport.start(store, slots: exportSlots, longest: longestExport, context: context)
    }

    /// HEAD of `exportAccount`: the download's headers, without starting it (an export takes a slot, a
    /// snapshot and an audit entry, which a GET run for its headers alone would spend).
    @Sendable func exportHead(_ request: Request, context: APIRequestContext) async throws -> Response {
        Response(status: .ok, headers: AccountExport.headers)
    }
}
