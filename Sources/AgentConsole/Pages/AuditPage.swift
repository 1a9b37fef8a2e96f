import AgentAPI
import AgentStore
import Foundation
import Hummingbird

/// `/audit`: the tenant's audit log, newest first, keyset-paged.
struct AuditPage: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("audit", use: show)
    }

    struct Row: Sendable {
        let time: String
        let actor: String
        let action: String
        let target: String
        let requestID: String?
    }

    struct Page: Sendable {
        let chrome: Chrome
        let entries: [Row]
        let next: String?
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let pageRequest = PageRequest(limit: 50, cursor: AgentPages.cursor(request), order: .descending)
        let (user, page) = try await api.store.withTenant(visit.userID, requestID: context.requestID) {
            (try await $0.currentUserIfExists(), try await $0.auditLog(pageRequest))
        }
        let model = Page(
            chrome: Chrome(title: "Audit log", section: .audit, assets: pages.assets, visit: visit, email: user?.email),
            entries: page.items.map { entry in
                Row(
                    time: ConsoleFormat.time(entry.createdAt), actor: entry.actor, action: entry.action,
                    target: [entry.targetType, entry.targetID].compactMap { $0 }.joined(separator: " "),
                    requestID: entry.requestID)
            },
            next: page.hasMore ? page.items.last.map { "/audit?after=\(ConsoleFormat.segment($0.id))" } : nil)
        return pages.page("audit", model)
    }
}
