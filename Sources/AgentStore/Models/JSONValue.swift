import Foundation

/// Free-form JSON, as stored in the `metadata` columns.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    /// A whole number past 2^53, which a `Double` would round: kept exactly (`9007199254740993` stays that).
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self), value.magnitude > Self.exactDoubles {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The whole numbers a `Double` holds exactly, in magnitude: 2^53.
    static let exactDoubles: UInt64 = 1 << 53

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The largest metadata document accepted, in bytes of JSON.
    static let maximumSize = 64 * 1024

    /// The JSON text stored in PostgreSQL, after checking the size and that no string holds NUL, which
    /// `jsonb` cannot store.
    func storedText(field: StoreField) throws(StoreError) -> String {
        guard let data = try? JSONEncoder().encode(self), let text = String(data: data, encoding: .utf8) else {
            throw .invalid(field: field, reason: "is not valid JSON")
        }
        guard data.count <= Self.maximumSize else {
            throw .invalid(field: field, reason: "must be at most \(Self.maximumSize) bytes of JSON")
        }
        guard !containsNUL else { throw .invalid(field: field, reason: "must not contain NUL characters") }
        return text
    }

    /// Whether a string or a member's name holds U+0000: the encoded text cannot tell, since the six
    /// characters `\u0000` written in a string are encoded as `\\u0000`.
    private var containsNUL: Bool {
        switch self {
        case .null, .bool, .number, .integer: false
        case .string(let text): text.unicodeScalars.contains("\u{0}")
        case .array(let values): values.contains { $0.containsNUL }
        case .object(let members): members.contains { $0.key.unicodeScalars.contains("\u{0}") || $0.value.containsNUL }
        }
    }

    init(storedText text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
