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
        let limit = try PageRequest.limit(of: request)
        let cursor = try request.uri.queryParameters.get("cursor").map { raw in
            guard (1...ConversationCursor.maximumTokenLength).contains(raw.utf8.count), raw.utf8.allSatisfy(\.isBase64URL)
            else { throw Problem.badParameter("cursor", "must be a next_cursor of this listing") }
            guard let cursor = ConversationCursor(token: raw) else {
                throw Problem.invalid(field: "cursor", reason: "is not a next_cursor of this listing")
            }
            return cursor
        }
        let (conversations, hasMore) = try await store.withTenant(of: context) {
            try await $0.recentConversations(limit: limit, after: cursor)
        }
        return RecentConversationsBody(conversations, hasMore: hasMore)
    }
}

extension UInt8 {
    /// Whether the byte is of unpadded base64url's alphabet, which every cursor token is spelled in.
    var isBase64URL: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
