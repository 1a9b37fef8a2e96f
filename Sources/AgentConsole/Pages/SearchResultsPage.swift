import AgentAPI
import AgentStore
import Foundation
import Hummingbird

/// `/search`: full-text search over the tenant's own messages and conversation titles (the store's
/// `search`, under row-level security), with highlighted snippets and a link to where each hit is.
struct SearchResultsPage: Sendable {
    let api: APIParts
    let pages: ConsolePages

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("search", use: show)
    }

    struct Hit: Sendable {
        let href: String
        let title: String
        let kind: String
        let role: String?
        let time: String
        let snippet: [SnippetPart]
    }

    struct AgentOption: Sendable {
        let id: String
        let name: String
        let selected: Bool
    }

    struct Page: Sendable {
        let chrome: Chrome
        let query: String
        let agents: [AgentOption]
        let searched: Bool
        let hits: [Hit]
        let next: String?
        let error: String?
    }

    @Sendable func show(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        // The search form's query as a browser writes a GET form, a space as `+` (`FormFields`).
        let parameters = request.queryFields
        let text = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let agentParameter = parameters["agent_id"].flatMap { $0.isEmpty ? nil : $0 }
        let agentID = agentParameter.flatMap(AgentID.init(rawValue:))
        let cursorParameter = parameters["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let cursor = cursorParameter.flatMap(SearchCursor.init(token:))
        // A filter or a page link that cannot be read is said so, as the API says it: searched without it,
        // the page would show every agent's hits, or the first page again, as if that were what was asked.
        var error: String? =
            if agentParameter != nil, agentID == nil {
                "The agent to search in is not a valid agent id."
            } else if cursorParameter != nil, cursor == nil {
                "The link to more results is not valid: search again."
            } else {
                nil
            }
        let (user, agents, found) = try await api.store.withTenant(visit.userID, requestID: context.requestID) { session in
            let agents = try await session.agents(PageRequest(limit: 100, order: .descending))
            var found: SearchPage?
            if !text.isEmpty, error == nil {
                do {
                    found = try await session.search(
                        SearchQuery(text: text, agentID: agentID), SearchPageRequest(limit: 20, cursor: cursor))
                } catch let refused as StoreError {
                    error =
                        RefusedRequest(refused).fieldErrors.first.map { "The search \($0.reason)." }
                        ?? RefusedRequest(refused).detail
                }
            }
            return (try await session.currentUserIfExists(), agents, found)
        }
        let names = Dictionary(agents.items.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let hits = (found?.hits ?? []).map { hit in
            let path = ChatPages.path(hit.agentID, hit.conversationID)
            return Hit(
                // The thread through the message: on another branch than the newest, it is not on the default page.
                href: hit.messageID.map { ChatPages.threadPath(path, through: $0) } ?? path,
                title:
                    "\(names[hit.agentID] ?? "Agent") · \(ConsoleFormat.conversationTitle(hit.conversationTitle, id: hit.conversationID))",
                kind: hit.kind == .conversation ? "conversation title" : "message",
                role: hit.role.map { $0 == .assistant ? "reply" : $0.rawValue }, time: ConsoleFormat.time(hit.createdAt),
                snippet: hit.snippet)
        }
        var next: String?
        if let cursor = found?.nextCursor {
            var query = "q=\(ConsoleFormat.segment(text))&cursor=\(ConsoleFormat.segment(cursor.token))"
            if let agentID { query += "&agent_id=\(ConsoleFormat.segment(agentID.rawValue))" }
            next = "/search?\(query)"
        }
        let model = Page(
            // The words searched for in the title: a tab, and the history, tell one search from another.
            chrome: Chrome(
                title: text.isEmpty ? "Search" : "Search: \(text)", section: .search, assets: pages.assets, visit: visit,
                email: user?.email),
            query: text,
            agents: agents.items.map { AgentOption(id: $0.id.rawValue, name: $0.name, selected: $0.id == agentID) },
            searched: found != nil, hits: hits, next: next, error: error)
        return pages.page("search", model, status: error == nil ? .ok : .unprocessableContent)
    }
}
