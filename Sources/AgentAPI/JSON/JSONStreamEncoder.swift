import Foundation
import NIOCore

/// Encodes response bodies into a `ByteBuffer` as they are walked, in the API's JSON conventions.
///
/// `JSONEncoder` first builds a tree of boxed values with a dictionary per object, then serializes it;
/// for a page of 50 messages that was the largest single cost of a request in the server's profile.
/// This encoder writes each key and value as `encode(to:)` produces it, so it needs the containers of a
/// value to be used in order: a container is closed when its owner's `encode(to:)` returns or when an
/// enclosing container writes its next element. Synthesized and hand-written `Encodable` conformances
/// of the API's bodies all work that way.
///
/// Conventions (see ``APIJSON``): dates in RFC 3339 with milliseconds, keys as `CodingKeys`
/// spell them, `nil` written only where a conformance asks (`encodeIfPresent` leaves the key out).
enum JSONStreamEncoder {
    /// Encodes `value` as one JSON document.
    static func encode(_ value: some Encodable, capacity: Int = 1024) throws -> ByteBuffer {
        let writer = JSONStreamWriter(capacity: capacity)
        try writer.encodeValue(value)
        writer.closeContainers(downTo: 0)
        return writer.output.byteBuffer()
    }
}

/// The state behind ``JSONStreamEncoder``: the output and the stack of open containers.
///
/// The containers share it, so it is a class; its two properties are touched for every byte written and
/// only ever by one encoding at a time, so they skip the runtime's exclusivity checks.
final class JSONStreamWriter {
    @exclusivity(unchecked) private(set) var output: JSONBytes
    /// Open containers, innermost last: whether each is an object, and whether it has an element yet.
    @exclusivity(unchecked) private var open: [(isObject: Bool, isEmpty: Bool)] = []

    init(capacity: Int) {
        output = JSONBytes(capacity: capacity)
    }

    // MARK: Containers

    /// Opens an object or an array as the value being written.
    func openContainer(isObject: Bool) -> Int {
        output.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        open.append((isObject, true))
        return open.count
    }

    /// How many containers are open.
    var depth: Int { open.count }

    /// The object at `depth` (1-based) if it is still open, with anything deeper closed; else nil.
    func reopenObject(atDepth depth: Int) -> Int? {
        guard open.count >= depth, open[depth - 1].isObject else { return nil }
        closeContainers(downTo: depth)
        return depth
    }

    /// Closes every container deeper than `depth`.
    func closeContainers(downTo depth: Int) {
        while open.count > depth {
            output.append(open.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Starts the next element of the container at `depth` (1-based): closes anything nested deeper that
    /// is still open, then writes the separator and, in an object, the key.
    func beginElement(atDepth depth: Int, key: String?) {
        closeContainers(downTo: depth)
        if open[depth - 1].isEmpty {
            open[depth - 1].isEmpty = false
        } else {
            output.append(UInt8(ascii: ","))
        }
        if let key {
            writeString(key)
            output.append(UInt8(ascii: ":"))
        }
    }

    // MARK: Values

    /// Writes `value`, then closes whatever containers its `encode(to:)` opened.
    func encodeValue<Value: Encodable>(_ value: Value) throws {
        // Metatype comparisons, not dynamic casts: this runs for every value of a page.
        if Value.self == String.self {
            writeString(unsafeBitCast(value, to: String.self))
        } else if Value.self == Date.self {
            writeString(RFC3339.string(from: unsafeBitCast(value, to: Date.self)))
        } else if Value.self == MessageBody.self {
            try unsafeBitCast(value, to: MessageBody.self).write(to: self)
        } else {
            let depth = open.count
            try value.encode(to: JSONStreamValueEncoder(writer: self))
            closeContainers(downTo: depth)
        }
    }

    func writeNull() {
        output.append(literal: "null")
    }

    func writeBool(_ value: Bool) {
        output.append(literal: value ? "true" : "false")
    }

    func writeInteger(_ value: some FixedWidthInteger) {
        output.append(String(value))
    }

    /// Integral values in the exactly representable range without a fraction, as `JSONEncoder` does.
    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "JSON has no infinity or NaN"))
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output.append(String(Int64(value)))
        } else {
            output.append(String(describing: value))
        }
    }

    /// A `Float` by its own shortest spelling, which a widening to `Double` would lengthen.
    func writeFloat(_ value: Float) throws {
        guard value.isFinite, value != value.rounded() || abs(value) >= 16_777_216 else {
            return try writeDouble(Double(value))
        }
        output.append(String(describing: value))
    }

    /// A JSON string: runs of plain bytes copied at once; quote, backslash and control characters escaped.
    func writeString(_ value: String) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return }
            var runStart = 0
            var index = 0
            while index < bytes.count {
                // Eight bytes at a time while none of them needs escaping: message text rarely does.
                if index + 8 <= bytes.count,
                    !Self.needsEscape(UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self))
                {
                    index += 8
                    continue
                }
                let byte = bytes[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    writeEscape(byte)
                    runStart = index + 1
                }
                index += 1
            }
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any byte of `word` is below 0x20, a quote or a backslash (bytes of multi-byte UTF-8
    /// characters are not), by the usual bit tricks for finding a byte in a word.
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highBits != 0 }
        let belowSpace = (word &- ones &* 0x20) & ~word & highBits != 0
        return belowSpace || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): output.append(literal: "\\\"")
        case UInt8(ascii: "\\"): output.append(literal: "\\\\")
        case 0x0A: output.append(literal: "\\n")
        case 0x0D: output.append(literal: "\\r")
        case 0x09: output.append(literal: "\\t")
        case 0x08: output.append(literal: "\\b")
        case 0x0C: output.append(literal: "\\f")
        default:
            output.append(literal: "\\u00")
            output.append(Self.hexDigits[Int(byte >> 4)])
            output.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }
}
