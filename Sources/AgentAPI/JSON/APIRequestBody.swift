/// A request body the ``APIRequestDecoder`` accepts: its fields are exactly the cases of `Field`, so a
/// field the operation does not name is refused instead of silently ignored.
protocol APIRequestBody: Decodable, Sendable {
    associatedtype Field: CodingKey, CaseIterable

    /// The JSON names of the body's fields.
    static var fieldNames: Set<String> { get }
}

extension APIRequestBody {
    static var fieldNames: Set<String> { Set(Field.allCases.map(\.stringValue)) }
}
