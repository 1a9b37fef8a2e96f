import AgentStore

/// A keyset listing walked to its end, one page a call, by the ids it lists: the store's pages and the
/// HTTP API's alike.
public enum PageWalk {
    /// One page as a walk sees it: its ids in listing order and whether more lie beyond it.
    public struct Step: Sendable {
        public var ids: [String]
        public var hasMore: Bool

        public init(ids: [String], hasMore: Bool) {
            self.ids = ids
            self.hasMore = hasMore
        }

        /// A store page, by the ids `id` names.
        public init<Item>(_ page: Page<Item>, id: (Item) -> String) {
            self.init(ids: page.items.map(id), hasMore: page.hasMore)
        }
    }

    /// Reads from the start with `after` cursors (`nil` first) until no more follow; the ids in listing order.
    public static func forward(_ read: (_ after: String?) async throws -> Step) async throws -> [String] {
        var seen: [String] = []
        var cursor: String?
        while true {
            let step = try await read(cursor)
            seen += step.ids
            guard step.hasMore, let last = step.ids.last else { return seen }
            cursor = last
        }
    }

    /// Reads toward the start with `before` cursors from `edge` (not itself included) until no more
    /// precede; the ids in listing order.
    public static func backward(from edge: String, _ read: (_ before: String) async throws -> Step) async throws -> [String] {
        var pages: [[String]] = []
        var cursor = edge
        while true {
            let step = try await read(cursor)
            pages.append(step.ids)
            guard step.hasMore, let first = step.ids.first else { break }
            cursor = first
        }
        return pages.reversed().flatMap { $0 }
    }
}
