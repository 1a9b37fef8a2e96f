import AgentAPI
import AgentStore
import Foundation
import Hummingbird

/// `/conversations`: the tenant's conversations with every agent, the latest first, 50 a page; where the
/// agents page's few recent ones lead on.
struct RecentConversationsPage: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("conversations", use: show)
    }

    struct Page: Sendable {
        let chrome: Chrome
        let conversations: [AgentPages.RecentRow]
        let next: String?
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let cursor = try request.queryFields["cursor"].map { token in
            guard let cursor = ConversationCursor(token: token) else {
                throw HTTPError(.badRequest, message: "The cursor is not one this listing gave.")
            }
            return cursor
        }
        let (user, page) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (try await $0.currentUserIfExists(), try await $0.recentConversations(limit: 50, after: cursor))
        }
        let model = Page(
            chrome: Chrome(
                title: "Conversations", section: .agents, withinSection: true, assets: pages.assets, visit: visit,
                email: user?.email),
            conversations: page.items.map(AgentPages.RecentRow.init),
            next: page.hasMore ? page.items.last.map { Self.next(after: $0.conversation) } : nil)
        return pages.page("conversations", model)
    }

    /// The page after the one that ends with `conversation`.
    static func next(after conversation: Conversation) -> String {
        let cursor = ConversationCursor(agentID: conversation.agentID, conversationID: conversation.id)
        return "/conversations?cursor=\(ConsoleFormat.segment(cursor.token))"
    }
}
