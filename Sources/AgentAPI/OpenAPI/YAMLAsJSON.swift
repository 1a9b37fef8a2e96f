import Yams

/// A YAML document as the JSON it stands for, written through any `Encoder`: mappings become objects
/// (keys in document order), sequences arrays, and scalars take the type their resolved tag gives them,
/// so `'200'` stays a string while `200` is a number.
struct YAMLAsJSON: Encodable {
    let node: Node

    /// The YAML's content isn't JSON-shaped: a key that is not a scalar, or an empty document.
    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    init(document text: String) throws {
        guard let node = try Yams.compose(yaml: text) else { throw Unsupported(description: "the document is empty") }
        self.node = node
    }

    private init(node: Node) {
        self.node = node
    }

    func encode(to encoder: any Encoder) throws {
        switch node {
        case .mapping(let mapping):
            var object = encoder.container(keyedBy: Key.self)
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else { throw Unsupported(description: "a mapping key is not a string") }
                try object.encode(YAMLAsJSON(node: value), forKey: Key(stringValue: scalar.string))
            }
        case .sequence(let sequence):
            var array = encoder.unkeyedContainer()
            for element in sequence { try array.encode(YAMLAsJSON(node: element)) }
        case .scalar(let scalar):
            var value = encoder.singleValueContainer()
            switch node.tag {
            case Tag(.null): try value.encodeNil()
            case Tag(.bool): try value.encode(try Self.require(node.bool, scalar))
            case Tag(.int): try value.encode(try Self.require(node.int, scalar))
            case Tag(.float): try value.encode(try Self.require(node.float, scalar))
            default: try value.encode(scalar.string)
            }
        case .alias:
            // The parser expands aliases into copies of their anchored node; only built trees hold these.
            throw Unsupported(description: "the document holds an unexpanded alias")
        }
    }

    private static func require<Value>(_ value: Value?, _ scalar: Node.Scalar) throws -> Value {
        guard let value else { throw Unsupported(description: "the scalar \(scalar.string) does not fit its tag") }
        return value
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
