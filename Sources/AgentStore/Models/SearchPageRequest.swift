/// Which page of a search to read: the first, or the one after a cursor of the same search.
public struct SearchPageRequest: Sendable, Equatable {
    public var limit: Int
    public var cursor: SearchCursor?

    public init(limit: Int = 20, cursor: SearchCursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    func validate(for query: SearchQuery) throws(StoreError) {
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw .invalid(field: .limit, reason: "must be 1 to \(PageRequest.maximumLimit)")
        }
        if let cursor, cursor.fingerprint != query.fingerprint {
            throw .invalid(field: .searchCursor, reason: "belongs to another search")
        }
    }
}
