/// Keyset pagination over `(time, id)`: the cursor row's key bounds the page, so no page costs more than
/// the first.
struct Keyset {
    let request: PageRequest

    /// Pages read with `before` are fetched backwards and turned around afterwards.
    var readsBackwards: Bool {
        if case .before = request.cursor { return true }
        return false
    }

    private var fetchesDescending: Bool {
        readsBackwards ? request.order == .ascending : request.order == .descending
    }

    /// The direction rows are fetched in, as SQL says it.
    var fetchDirection: String { fetchesDescending ? "DESC" : "ASC" }

    /// The cursor's id, when there is one.
    var cursorID: String? {
        switch request.cursor {
        case .after(let id), .before(let id): id
        case nil: nil
        }
    }

    /// Appends ` AND (time, id) > (cursor key)` when there is a cursor; `cursorKey` receives the cursor
    /// id's placeholder and returns a subquery selecting that row's `(time, id)`.
    func appendBound(to sql: inout SQLStatement, time: String, id: String, cursorKey: (String) -> String) {
        guard let cursorID else { return }
        let placeholder = sql.bind(cursorID)
        sql.append(" AND (\(time), \(id)) \(fetchesDescending ? "<" : ">") (\(cursorKey(placeholder)))")
    }

    /// Appends the order and a limit one past the page, which tells whether there is more.
    func appendOrder(to sql: inout SQLStatement, time: String, id: String) {
        let direction = fetchesDescending ? "DESC" : "ASC"
        sql.append(" ORDER BY \(time) \(direction), \(id) \(direction) LIMIT \(sql.bind(request.limit + 1))")
    }

    /// Turns the fetched rows into the page, in the requested order.
    /// `cutShort`: the rows stop before the limit for another reason (a byte bound), with more past them.
    func page<Item>(from rows: [Item], cutShort: Bool = false) -> Page<Item> {
        let items = Array(rows.prefix(request.limit))
        return Page(items: readsBackwards ? items.reversed() : items, hasMore: cutShort || rows.count > request.limit)
    }
}
