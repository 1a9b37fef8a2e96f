import AgentStore
import Hummingbird

/// `/v1/search`: full-text search over the tenant's own messages and conversation titles.
struct SearchController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: search)
    }

    /// `searchMessages`: one ranked page of hits. `q` is required (an empty or over-long one is a 422 from
    /// the store, which owns the rule); `agent_id` and `cursor` that could not be one are 400s, as
    /// malformed `after` and `before` are on other listings. A cursor spelled as one (unpadded base64url,
    /// what the document's schema states) that is no cursor of this search is a 422, as an `after` that
    /// names no item is: whether it was never a cursor or belongs to another search.
    @Sendable func search(_ request: Request, context: APIRequestContext) async throws -> SearchResultsBody {
        let parameters = request.uri.queryParameters
        let agentID = try parameters.get("agent_id").map { raw in
            guard let id = AgentID(rawValue: raw) else { throw Problem.badParameter("agent_id", "must be an agent's id") }
            return id
        }
        var limit = 20
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...PageRequest.maximumLimit).contains(value) else {
                throw Problem.badParameter("limit", "must be an integer from 1 to \(PageRequest.maximumLimit)")
            }
            limit = value
        }
        let cursor = try parameters.get("cursor").map { raw in
            guard (1...SearchCursor.maximumTokenLength).contains(raw.utf8.count), raw.utf8.allSatisfy(\.isBase64URL)
            else { throw Problem.badParameter("cursor", "must be a next_cursor of a search") }
            guard let cursor = SearchCursor(token: raw) else {
                throw Problem.invalid(field: "cursor", reason: "is not a next_cursor of this search")
            }
            return cursor
        }
        let query = SearchQuery(text: parameters.get("q") ?? "", agentID: agentID)
        let page = try await store.withTenant(of: context) {
            try await $0.search(query, SearchPageRequest(limit: limit, cursor: cursor))
        }
        return SearchResultsBody(page)
    }
}
