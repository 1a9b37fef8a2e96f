import PostgresNIO

/// SQL text and its bind parameters, for statements whose shape depends on the request.
///
/// Values only ever enter as binds; `append` takes SQL text written in this module.
struct SQLStatement {
    private(set) var text: String
    private(set) var binds = PostgresBindings()

    init(_ text: String = "") {
        self.text = text
    }

    mutating func append(_ sql: String) {
        text += sql
    }

    /// Adds a bind parameter and returns its placeholder, e.g. `$3`.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Adds a bind parameter that may be NULL.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value { binds.append(value) } else { binds.appendNull() }
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}
