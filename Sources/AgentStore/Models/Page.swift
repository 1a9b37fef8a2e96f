/// Which slice of a listing to read, by keyset: the cost of the thousandth page equals the first's.
public struct PageRequest: Sendable, Equatable {
    public enum Order: String, Sendable {
        case ascending = "asc"
        case descending = "desc"
    }
    /// An id of the listing: read the items after it or before it, in the listing's order.
    public enum Cursor: Sendable, Equatable {
        case after(String)
        case before(String)
    }

    public static let maximumLimit = 100

    public var limit: Int
    public var cursor: Cursor?
    public var order: Order

    public init(limit: Int = 20, cursor: Cursor? = nil, order: Order) {
        self.limit = limit
        self.cursor = cursor
        self.order = order
    }

    func validate() throws(StoreError) {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalid(field: .limit, reason: "must be 1 to \(Self.maximumLimit)")
        }
        switch cursor {
        case .after(let id): try Field.identifier(id, .cursorAfter)
        case .before(let id): try Field.identifier(id, .cursorBefore)
        case nil: break
        }
    }
}

/// One slice of a listing, in the requested order.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Whether more items lie beyond this page in the direction it was read.
    public var hasMore: Bool

    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}

extension Page {
    /// Every item of a listing, read page after page from the newest, for the few readers that need all
    /// of it (the OpenAI models list, an operator's list of a user's tokens). `id` names an item's cursor.
    public static func all(
        id: (Item) -> String, _ read: (PageRequest) async throws -> Page<Item>
    ) async throws -> [Item] {
        var items: [Item] = []
        var request = PageRequest(limit: PageRequest.maximumLimit, order: .descending)
        while true {
            let page = try await read(request)
            items += page.items
            guard page.hasMore, let last = page.items.last else { return items }
            request.cursor = .after(id(last))
        }
    }
}
