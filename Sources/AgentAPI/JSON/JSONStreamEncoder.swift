import Foundation
import NIOCore

/// Encodes response bodies straight into a `ByteBuffer`, in the API's JSON conventions.
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
        return writer.output
    }
}

/// The state behind ``JSONStreamEncoder``: the output and the stack of open containers.
final class JSONStreamWriter {
    private(set) var output: ByteBuffer
    /// Open containers, innermost last: whether each is an object, and whether it has an element yet.
    private var open: [(isObject: Bool, isEmpty: Bool)] = []

    init(capacity: Int) {
        output = ByteBufferAllocator().buffer(capacity: capacity)
    }

    // MARK: Containers

    /// Opens an object or an array as the value being written.
    func openContainer(isObject: Bool) -> Int {
        output.writeInteger(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
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
            output.writeInteger(open.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Starts the next element of the container at `depth` (1-based): closes anything nested deeper that
    /// is still open, then writes the separator and, in an object, the key.
    func beginElement(atDepth depth: Int, key: String?) {
        closeContainers(downTo: depth)
        if open[depth - 1].isEmpty {
            open[depth - 1].isEmpty = false
        } else {
            output.writeInteger(UInt8(ascii: ","))
        }
        if let key {
            writeString(key)
            output.writeInteger(UInt8(ascii: ":"))
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
        } else {
            let depth = open.count
            try value.encode(to: JSONStreamValueEncoder(writer: self))
            closeContainers(downTo: depth)
        }
    }

    func writeNull() {
        output.writeStaticString("null")
    }

    func writeBool(_ value: Bool) {
        output.writeStaticString(value ? "true" : "false")
    }

    func writeInteger(_ value: some FixedWidthInteger) {
        output.writeString(String(value))
    }

    /// Integral values in the exactly representable range without a fraction, as `JSONEncoder` does.
    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "JSON has no infinity or NaN"))
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            output.writeString(String(Int64(value)))
        } else {
            output.writeString(String(describing: value))
        }
    }

    /// A `Float` by its own shortest spelling, which a widening to `Double` would lengthen.
    func writeFloat(_ value: Float) throws {
        guard value.isFinite, value != value.rounded() || abs(value) >= 16_777_216 else {
            return try writeDouble(Double(value))
        }
        output.writeString(String(describing: value))
    }

    /// A JSON string: runs of plain bytes copied at once; quote, backslash and control characters escaped.
    func writeString(_ value: String) {
        output.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                writeEscape(byte)
                runStart = index + 1
            }
            output.writeBytes(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.writeInteger(UInt8(ascii: "\""))
    }

    private func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): output.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): output.writeStaticString("\\\\")
        case 0x0A: output.writeStaticString("\\n")
        case 0x0D: output.writeStaticString("\\r")
        case 0x09: output.writeStaticString("\\t")
        case 0x08: output.writeStaticString("\\b")
        case 0x0C: output.writeStaticString("\\f")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            output.writeStaticString("\\u00")
            output.writeInteger(hex[Int(byte >> 4)])
            output.writeInteger(hex[Int(byte & 0x0F)])
        }
    }
}
