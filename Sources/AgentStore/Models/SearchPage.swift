/// One page of search results, best first.
public struct SearchPage: Sendable {
    public var hits: [SearchHit]
    /// The cursor of the next page; nil on the last.
    public var nextCursor: SearchCursor?

    public var hasMore: Bool { nextCursor != nil }

    public init(hits: [SearchHit], nextCursor: SearchCursor?) {
        self.hits = hits
        self.nextCursor = nextCursor
    }
}
