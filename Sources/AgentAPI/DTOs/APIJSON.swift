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

    /// Whether `bytes` nests arrays and objects no deeper than `maximumDepth`, counting outside strings.
    static func depthIsAcceptable(_ bytes: some Sequence<UInt8>) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth { return false }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return true
    }
}
