import Foundation

/// A `DecodingError` as the API reports it: the path of the field, why, and the type it asks for,
/// never the value (which the error's `debugDescription` may quote).
struct DecodingFailure {
    /// One step of a path into a JSON document.
    enum Step: Equatable {
        case member(String)
        case index(Int)
    }

    let path: [Step]
    let reason: String
    /// A value of the type the field asks for (an empty object when that is not known), to stand in for
    /// the failed one so that decoding can go on to the next field; nil when none can.
    let standIn: Any?

    init(_ error: DecodingError) {
        let codingPath: [any CodingKey]
        switch error {
        case .typeMismatch(let expected, let context):
            codingPath = context.codingPath
            let kind = Self.kind(of: expected)
            reason = kind.map { "must be \($0.name)" } ?? "has the wrong type"
            standIn = kind?.standIn
        case .valueNotFound(_, let context):
            codingPath = context.codingPath
            reason = "must not be null"
            standIn = [String: Any]()
        case .keyNotFound(let key, let context):
            codingPath = context.codingPath + [key]
            reason = "is required"
            standIn = [String: Any]()
        case .dataCorrupted(let context):
            codingPath = context.codingPath
            reason = context.codingPath.isEmpty ? "is not valid JSON" : "is not a valid value"
            standIn = nil
        @unknown default:
            codingPath = []
            reason = "is not valid"
            standIn = nil
        }
        path = codingPath.map { key in key.intValue.map(Step.index) ?? .member(key.stringValue) }
    }

    /// The field's path as the API names it: members and indexes joined by dots (`metadata.0`).
    var field: String {
        path.map { step in
            switch step {
            case .member(let name): name
            case .index(let index): String(index)
            }
        }
        .joined(separator: ".")
    }

    /// The JSON kinds a field can ask for: its name in a reason, and a value of it.
    private struct Kind {
        let name: String
        let standIn: Any
    }

    private static func kind(of type: Any.Type) -> Kind? {
        let id = ObjectIdentifier(type)
        if id == ObjectIdentifier(String.self) { return Kind(name: "a string", standIn: "") }
        if id == ObjectIdentifier(Bool.self) { return Kind(name: "true or false", standIn: false) }
        let integers: [Any.Type] = [
            Int.self, Int8.self, Int16.self, Int32.self, Int64.self, UInt.self, UInt8.self, UInt16.self, UInt32.self, UInt64.self,
        ]
        if integers.contains(where: { ObjectIdentifier($0) == id }) { return Kind(name: "an integer", standIn: 0) }
        let numbers: [Any.Type] = [Double.self, Float.self, Decimal.self]
        if numbers.contains(where: { ObjectIdentifier($0) == id }) { return Kind(name: "a number", standIn: 0) }
        if id == ObjectIdentifier([Any].self) { return Kind(name: "an array", standIn: [Any]()) }
        if id == ObjectIdentifier([String: Any].self) { return Kind(name: "an object", standIn: [String: Any]()) }
        return nil
    }
}
