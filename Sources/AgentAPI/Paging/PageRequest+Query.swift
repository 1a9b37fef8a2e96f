import AgentStore
import Hummingbird

extension PageRequest {
    /// Reads `limit`, `after`, `before` and `order` from the query string; any malformed one is a 400.
    /// `after` with `before` is a 422 naming both: each is well formed, as the document's schema can say,
    /// but together they ask for no page (a rule the schema cannot state, like a cursor naming nothing).
    init(query request: Request, defaultOrder: Order) throws {
        let query = request.queryFields
        let limit = try Self.limit(of: query)
        var order = defaultOrder
        if let text = query["order"] {
            guard let value = Order(rawValue: text) else { throw Problem.badParameter("order", "must be asc or desc") }
            order = value
        }
        let after = try query["after"].map { try Self.cursorID($0, "after") }
        let before = try query["before"].map { try Self.cursorID($0, "before") }
        let cursor: Cursor?
        switch (after, before) {
        case (let after?, nil): cursor = .after(after)
        case (nil, let before?): cursor = .before(before)
        case (nil, nil): cursor = nil
        case (_?, _?):
            throw Problem.invalid([
                Problem.FieldError(field: "after", reason: "cannot be combined with before"),
                Problem.FieldError(field: "before", reason: "cannot be combined with after"),
            ])
        }
        self.init(limit: limit, cursor: cursor, order: order)
    }

    /// The `limit` of a request's query: 20 unless it says otherwise.
    static func limit(of query: FormFields) throws -> Int {
        guard let text = query["limit"] else { return 20 }
        guard let value = Int(text), (1...PageRequest.maximumLimit).contains(value) else {
            throw Problem.badParameter("limit", "must be an integer from 1 to \(PageRequest.maximumLimit)")
        }
        return value
    }

    private static func cursorID(_ value: String, _ name: String) throws -> String {
        guard ResourceID.isPlausible(value) else { throw Problem.badParameter(name, "must be an id from this listing") }
        return value
    }
}
