import AgentStore
import Hummingbird

/// `/v1/conversations`: the tenant's conversations with all of its agents, most recently active first.
struct RecentConversationController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
    }

    /// `listRecentConversations`. A `cursor` not spelled as one (unpadded base64url) is a 400, as on
    /// `/v1/search`; one spelled as one that names no conversation of the tenant's is a 422.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> RecentConversationsBody {
        let query = request.queryFields
        let limit = try PageRequest.limit(of: query)
        let cursor = try CursorParameter.read(
            query, maximumLength: ConversationCursor.maximumTokenLength, spelled: "this listing", taken: "this listing",
            ConversationCursor.init(token:))
        let page = try await store.withTenant(of: context) { try await $0.recentConversations(limit: limit, after: cursor) }
        return RecentConversationsBody(page)
    }
}
