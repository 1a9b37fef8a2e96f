import AgentAPI
import AgentStore
import Foundation
import Hummingbird

/// `/audit`: the tenant's audit log, newest first, keyset-paged, all of it or one action's entries.
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
        /// The action in the reader's words (`connection.opened`: "Key opened").
        let label: String
        let target: String
        /// The target's page, for an agent or a connection (gone, it answers "not found").
        let targetHref: String?
        /// What the platform noted, as `name: value` pairs (a key opening's purpose, a deletion's count).
        let details: String?
        let requestID: String?

        init(_ entry: AuditEntry, signedIn user: UserID, names: AuditTargetNames) {
            time = ConsoleFormat.time(entry.createdAt)
            actor = entry.actor == AuditEntry.actor(user) ? "you" : entry.actor
            action = entry.action
            label = AuditAction(rawValue: entry.action).map(AuditPage.label) ?? entry.action
            // An agent or connection by its name and linked to its page while it exists; by its id, said
            // gone, once deleted.
            let name = names.name(of: entry)
            let deleted = ["agent", "connection"].contains(entry.targetType) && entry.targetID != nil && name == nil
            let shown = [entry.targetType, name ?? entry.targetID, deleted ? "(deleted)" : nil]
            target = shown.compactMap { $0 }.joined(separator: " ")
            targetHref = entry.targetID.flatMap { id in
                guard name != nil else { return nil }
                return switch entry.targetType {
                case "agent": "/agents/\(ConsoleFormat.segment(id))"
                case "connection": "/connections/\(ConsoleFormat.segment(id))"
                default: nil
                }
            }
            if case .object(var members) = entry.details, !members.isEmpty {
                // A link's connection by its name, as the target is.
                if let connection = names.detailedConnectionName(of: entry) {
                    members["connection_id"] = nil
                    members["connection"] = .string(connection)
                }
                // A limit's change says null for the platform's default, not for no limit.
                let null = entry.action == AuditAction.limitsChanged.rawValue ? "the default" : "none"
                details = Self.text(members, null: null)
            } else {
                details = nil
            }
            requestID = entry.requestID
        }

        /// An object's members in order of their names, `name: value`; an object within, such as a limit
        /// change's `previous`, in parentheses, and one deeper than that as "…".
        private static func text(_ members: [String: JSONValue], null: String, depth: Int = 0) -> String {
            members.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value, null: null, depth: depth))" }
                .joined(separator: ", ")
        }

        private static func text(_ value: JSONValue, null: String, depth: Int) -> String {
            switch value {
            case .null: null
            case .bool(let flag): flag ? "yes" : "no"
            case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .integer(let integer): String(integer)
            case .string(let string): string
            case .array(let items): items.map { text($0, null: null, depth: depth) }.joined(separator: " ")
            case .object(let members): depth == 0 ? "(\(text(members, null: null, depth: 1)))" : "…"
            }
        }
    }

    /// One choice of the filter.
    struct ActionChoice: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Page: Sendable {
        let chrome: Chrome
        let entries: [Row]
        let next: String?
        let actions: [ActionChoice]
        let filtered: Bool
    }

    /// An action in the reader's words.
    static func label(_ action: AuditAction) -> String {
        switch action {
        case .connectionCreated: "Connection created"
        case .connectionUpdated: "Connection changed"
        case .connectionDeleted: "Connection deleted"
        case .connectionOpened: "Key opened"
        case .connectionOpenFailed: "Key could not be opened"
        case .agentCreated: "Agent created"
        case .agentUpdated: "Agent changed"
        case .agentDeleted: "Agent deleted"
        case .connectionLinked: "Connection linked"
        case .connectionUnlinked: "Connection unlinked"
        case .connectionsReordered: "Connections reordered"
        case .conversationDeleted: "Conversation deleted"
        case .userDeleted: "Account deleted"
        case .userUpdated: "Account details corrected"
        case .tokenCreated: "Token created"
        case .tokenRevoked: "Token revoked"
        case .accountExported: "Account exported"
        case .keysRotated: "Keys rotated"
        case .keysVerified: "Keys verified"
        case .limitsChanged: "Limits changed"
        case .repliesInterrupted: "Replies interrupted"
        case .consoleSessionStarted: "Signed in to the console"
        case .consoleSessionEnded: "Signed out of the console"
        }
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        let pageRequest = PageRequest(limit: 50, cursor: AgentPages.cursor(request), order: .descending)
        // "All actions" sends an empty value.
        let action = try request.queryFields["action"].flatMap { $0.isEmpty ? nil : $0 }.map { name in
            guard let action = AuditAction(rawValue: name) else {
                throw HTTPError(.badRequest, message: "The audit log records no action of that name.")
            }
            return action
        }
        let (user, page, names) = try await api.store.withTenant(visit.userID, requestID: context.requestID) { session in
            let page = try await session.auditLog(pageRequest, action: action)
            return (try await session.currentUserIfExists(), page, try await session.targetNames(of: page.items))
        }
        let filter = action.map { "&action=\(ConsoleFormat.segment($0.rawValue))" } ?? ""
        let model = Page(
            chrome: Chrome(title: "Audit log", section: .audit, assets: pages.assets, visit: visit, email: user?.email),
            entries: page.items.map { Row($0, signedIn: visit.userID, names: names) },
            next: page.hasMore ? page.items.last.map { "/audit?after=\(ConsoleFormat.segment($0.id))\(filter)" } : nil,
            actions: AuditAction.allCases.map { ActionChoice(value: $0.rawValue, label: Self.label($0), selected: $0 == action) },
            filtered: action != nil)
        return pages.page("audit", model)
    }
}
