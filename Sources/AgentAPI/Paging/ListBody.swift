import AgentStore
import Hummingbird

/// One page of a listing: `{"data": [...], "has_more": ..., "first_id": ..., "last_id": ...}`.
struct ListBody<Item: Encodable & Identified & Sendable>: ResponseEncodable, Sendable {
    let data: [Item]
    let hasMore: Bool
    let firstID: String?
    let lastID: String?

    init(data: [Item], hasMore: Bool) {
        self.data = data
        self.hasMore = hasMore
        self.firstID = data.first?.cursorID
        self.lastID = data.last?.cursorID
    }

    private enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case firstID = "first_id"
        case lastID = "last_id"
    }

    /// Encodes nil ids as `null`, so every page has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(firstID, forKey: .firstID)
        try container.encode(lastID, forKey: .lastID)
    }
}

extension ListBody {
    /// A store page with each item converted to its response body.
    init<Stored>(_ page: Page<Stored>, _ convert: (Stored) -> Item) {
        self.init(data: page.items.map(convert), hasMore: page.hasMore)
    }
}
