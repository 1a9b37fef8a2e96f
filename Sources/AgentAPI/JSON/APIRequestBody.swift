/// A request body the ``APIRequestDecoder`` accepts: its fields are exactly the cases of its
/// `CodingKeys`, so a field the operation does not name is refused instead of silently ignored.
protocol APIRequestBody: Decodable, Sendable {
    /// The body's fields as JSON names them; the nested enum its `Decodable` conformance reads by.
    associatedtype CodingKeys: CodingKey, CaseIterable

    /// The JSON names of the body's fields.
    static var fieldNames: Set<String> { get }
}

extension APIRequestBody {
    static var fieldNames: Set<String> { Set(CodingKeys.allCases.map(\.stringValue)) }
}
