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
        /// The target's page, for an agent or a connection (gone, it answers "not found").
        let targetHref: String?
        /// What the platform noted, as `name: value` pairs (a key opening's purpose, a deletion's count).
        let details: String?
        let requestID: String?

        init(_ entry: AuditEntry, signedIn user: UserID) {
            time = ConsoleFormat.time(entry.createdAt)
            actor = entry.actor == AuditEntry.actor(user) ? "you" : entry.actor
            action = entry.action
            target = [entry.targetType, entry.targetID].compactMap { $0 }.joined(separator: " ")
            targetHref = entry.targetID.flatMap { id in
                switch entry.targetType {
                case "agent": "/agents/\(ConsoleFormat.segment(id))"
                case "connection": "/connections/\(ConsoleFormat.segment(id))"
                default: nil
                }
            }
            if case .object(let members) = entry.details, !members.isEmpty {
                details = members.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.text($0.value))" }.joined(separator: ", ")
            } else {
                details = nil
            }
            requestID = entry.requestID
        }

        private static func text(_ value: JSONValue) -> String {
            switch value {
            case .null: "none"
            case .bool(let flag): flag ? "yes" : "no"
            case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .integer(let integer): String(integer)
            case .string(let string): string
            case .array(let items): items.map(text).joined(separator: " ")
            case .object: "…"
            }
        }
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
            entries: page.items.map { Row($0, signedIn: visit.userID) },
            next: page.hasMore ? page.items.last.map { "/audit?after=\(ConsoleFormat.segment($0.id))" } : nil)
        return pages.page("audit", model)
    }
}
