import Hummingbird

/// One page of a listing that pages by an opaque cursor: `{"data": [...], "has_more": ...,
/// "next_cursor": ...}` (search results, whose ranks have no id order; the recent conversations, whose
/// ids are unique only within their agent), where other listings name `first_id` and `last_id`.
struct CursorPageBody<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let data: [Item]
    let hasMore: Bool
    let nextCursor: String?

    private enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case nextCursor = "next_cursor"
    }

    /// Encodes a nil cursor as `null`, so every page has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
