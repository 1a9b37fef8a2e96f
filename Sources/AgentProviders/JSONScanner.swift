/// A reader of one JSON text that checks its grammar as it goes and decodes only the values it is asked
/// for, skipping the rest: the hot path of a streamed reply reads one small chunk per piece of text, and
/// `JSONDecoder` spent 8% of the server's CPU on them.
///
/// Every read returns nil or false on anything it does not take (a type it was not asked for, a number
/// with a fraction, a lone surrogate, too deep a nesting); its callers then fall back to `JSONDecoder`,
/// which decides, so the scanner never accepts a text the decoder would refuse as the decoder reads it.
struct JSONScanner {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    /// Deeper values are left to the decoder.
    private static let maximumDepth = 64

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether only whitespace is left.
    var isAtEnd: Bool {
        mutating get {
            skipWhitespace()
            return position == bytes.count
        }
    }

    // MARK: Containers

    /// Reads an object, handing each member's key to `member`, which must read or skip its value.
    mutating func members(_ member: (inout JSONScanner, String) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), consume(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    /// Reads an array, `element` reading each of its values.
    mutating func elements(_ element: (inout JSONScanner) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        repeat {
            guard element(&self) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]"))
    }

    /// Reads an object member's value into `value` the first time its key comes: `null` leaves it nil, any
    /// other value goes through `read`. False when the key came before (`seen`) or `read` does not take it.
    mutating func member<Value>(into value: inout Value?, seen: inout Bool, _ read: (inout JSONScanner) -> Value?) -> Bool {
        guard !seen else { return false }
        seen = true
        if null() { return true }
        value = read(&self)
        return value != nil
    }

    // MARK: Values

    /// Consumes a `null` if one comes next.
    mutating func null() -> Bool {
        literal("null")
    }

    /// A string value, unescaped.
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                defer { position += 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            if byte < 0x20 { return nil }
            position += 1
        }
        return nil
    }

    /// An integer value without fraction or exponent.
    mutating func integer() -> Int? {
        skipWhitespace()
        let start = position
        guard skipNumber() else { return nil }
        let negative = bytes[start] == UInt8(ascii: "-")
        var value = 0
        for digit in bytes[(negative ? start + 1 : start)..<position] {
            let (shifted, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowedAgain) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflowed, !overflowedAgain else { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    /// Skips one value of any kind, checking its grammar.
    mutating func skipValue() -> Bool {
        skipValue(depth: 0)
    }

    // MARK: Grammar

    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < Self.maximumDepth else { return false }
        skipWhitespace()
        guard position < bytes.count else { return false }
        switch bytes[position] {
        case UInt8(ascii: "{"): return members { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return elements { $0.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return skipNumber(allowingFraction: true)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, the last two only when allowed.
    private mutating func skipNumber(allowingFraction: Bool = false) -> Bool {
        _ = consume(UInt8(ascii: "-"), skippingWhitespace: false)
        if consume(UInt8(ascii: "0"), skippingWhitespace: false) {
            guard !nextIsDigit else { return false }
        } else if !skipDigits() {
            return false
        }
        if consume(UInt8(ascii: "."), skippingWhitespace: false) {
            guard allowingFraction, skipDigits() else { return false }
        }
        if consume(UInt8(ascii: "e"), skippingWhitespace: false) || consume(UInt8(ascii: "E"), skippingWhitespace: false) {
            guard allowingFraction else { return false }
            if !consume(UInt8(ascii: "+"), skippingWhitespace: false) {
                _ = consume(UInt8(ascii: "-"), skippingWhitespace: false)
            }
            return skipDigits()
        }
        return true
    }

    private var nextIsDigit: Bool {
        position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    }

    /// At least one digit.
    private mutating func skipDigits() -> Bool {
        let start = position
        while nextIsDigit { position += 1 }
        return position > start
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { return false }
        position += count
        return true
    }

    private mutating func consume(_ byte: UInt8, skippingWhitespace: Bool = true) -> Bool {
        if skippingWhitespace { skipWhitespace() }
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    // MARK: Escapes

    /// The rest of a string that has an escape, from `start` (just after its opening quote).
    private mutating func escapedString(from start: Int) -> String? {
        var unescaped = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: unescaped, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    UTF8.encode(scalar) { unescaped.append($0) }
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                unescaped.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\u` escape (its `\u` read), a surrogate pair taken whole; nil for a lone surrogate.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hexUnit() else { return nil }
        switch unit {
        case 0xD800...0xDBFF:
            guard consume(UInt8(ascii: "\\"), skippingWhitespace: false), consume(UInt8(ascii: "u"), skippingWhitespace: false),
                let low = hexUnit(), (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    private mutating func hexUnit() -> UInt32? {
        guard bytes.count - position >= 4 else { return nil }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = bytes[position].hexDigitValue else { return nil }
            unit = unit << 4 | UInt32(digit)
            position += 1
        }
        return unit
    }
}

extension UInt8 {
    /// The value of an ASCII hexadecimal digit.
    fileprivate var hexDigitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
