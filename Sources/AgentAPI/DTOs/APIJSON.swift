import Foundation

/// The API's JSON conventions: RFC 3339 times with fractional seconds; snake_case keys come from each
/// body's `CodingKeys` (a key strategy would also rewrite the keys inside free-form metadata). Responses
/// are written by ``JSONStreamEncoder`` (``APIResponseEncoder``), requests read by ``APIRequestDecoder``.
enum APIJSON {
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// The deepest nesting of arrays and objects accepted; metadata never needs more, and the limit keeps
    /// recursive decoding far from the stack's end.
    static let maximumDepth = 64

    /// What is wrong with the shape of a body before it is decoded: nesting deeper than `maximumDepth`,
    /// or an object that names a member twice, at the path (as `DecodingFailure.field` writes it) of the
    /// second. Decoders disagree on which of two such members counts (`JSONDecoder` and PostgreSQL's
    /// `jsonb` keep one each, a proxy that checked the body may have read the other), so neither does.
    /// Strings are only looked at for object keys; a body that is not JSON is left to the decoder.
    static func shapeProblem(_ bytes: some Collection<UInt8>) -> BodyShapeProblem? {
        var scanner = BodyShapeScanner()
        for byte in bytes {
            if let problem = scanner.read(byte) { return problem }
        }
        return nil
    }
}

/// Why a body's shape is refused before it is decoded (``APIJSON/shapeProblem(_:)``).
enum BodyShapeProblem: Equatable {
    case tooDeep
    case repeatedMember(path: String)
}

/// Reads a body byte by byte, keeping for each open object the member names seen so far.
private struct BodyShapeScanner {
    private struct Container {
        let isObject: Bool
        var names: Set<String> = []
        /// The member whose value is being read, or the index of the element.
        var step = ""
        var index = 0
        var expectsName: Bool
    }

    private var open: [Container] = []
    private var string: [UInt8]?
    private var escaped = false
    private var hasEscapes = false

    mutating func read(_ byte: UInt8) -> BodyShapeProblem? {
        if string != nil { return readInString(byte) }
        switch byte {
        case UInt8(ascii: "\""):
            string = []
            hasEscapes = false
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard open.count < APIJSON.maximumDepth else { return .tooDeep }
            let isObject = byte == UInt8(ascii: "{")
            open.append(Container(isObject: isObject, expectsName: isObject))
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            _ = open.popLast()
        case UInt8(ascii: ","):
            guard !open.isEmpty else { break }
            if open[open.count - 1].isObject {
                open[open.count - 1].expectsName = true
            } else {
                open[open.count - 1].index += 1
            }
        default:
            break
        }
        return nil
    }

    private mutating func readInString(_ byte: UInt8) -> BodyShapeProblem? {
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
            hasEscapes = true
        } else if byte == UInt8(ascii: "\"") {
            defer { string = nil }
            guard let last = open.indices.last, open[last].isObject, open[last].expectsName, let bytes = string else {
                return nil
            }
            let name = memberName(bytes)
            open[last].expectsName = false
            open[last].step = name
            guard open[last].names.insert(name).inserted else { return .repeatedMember(path: path) }
            return nil
        }
        string?.append(byte)
        return nil
    }

    /// A member name's text: `"a"` and `"\u0061"` are one name.
    private func memberName(_ bytes: [UInt8]) -> String {
        guard hasEscapes else { return String(decoding: bytes, as: UTF8.self) }
        let token = Data([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")])
        return (try? JSONDecoder().decode(String.self, from: token)) ?? String(decoding: bytes, as: UTF8.self)
    }

    /// The path of the member being read, as `DecodingFailure.field` names fields.
    private var path: String {
        open.map { $0.isObject ? $0.step : String($0.index) }.joined(separator: ".")
    }
}
