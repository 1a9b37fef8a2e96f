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
        let parameters = request.queryFields
        let agentID = try parameters["agent_id"].map { raw in
            guard let id = AgentID(rawValue: raw) else { throw Problem.badParameter("agent_id", "must be an agent's id") }
            return id
        }
        let limit = try PageRequest.limit(of: parameters)
        let cursor = try CursorParameter.read(
            parameters, maximumLength: SearchCursor.maximumTokenLength, spelled: "a search", taken: "this search",
            SearchCursor.init(token:))
        let query = SearchQuery(text: parameters["q"] ?? "", agentID: agentID)
        let page = try await store.withTenant(of: context) {
            try await $0.search(query, SearchPageRequest(limit: limit, cursor: cursor))
        }
        return SearchResultsBody(page)
    }
}
