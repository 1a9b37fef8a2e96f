/// Unpadded base64url (RFC 4648 §5) that rejects anything non-canonical.
///
/// Foundation's decoder tolerates nonzero trailing bits, which would let two
/// different texts open to the same value; a sealed value has exactly one
/// spelling. Hand-written also because sealing is on the request path.
enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    static func encodedCount(_ byteCount: Int) -> Int { (byteCount * 4 + 2) / 3 }

    // MARK: Encoding

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        return input.withUnsafeBytes { encode($0, after: "") }
    }

    /// `prefix` followed by the encoding of `input`, built in one allocation.
    static func encode(_ input: UnsafeRawBufferPointer, after prefix: String) -> String {
        var prefix = prefix
        return prefix.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + encodedCount(input.count)) { output in
                _ = output.initialize(fromContentsOf: head)
                return alphabet.withUnsafeBufferPointer { table in
                    head.count + encode(input, into: UnsafeMutableBufferPointer(rebasing: output[head.count...]), table: table)
                }
            }
        }
    }

    private static func encode(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var out = 0
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output[out] = table[Int(chunk >> 18 & 63)]
            output[out + 1] = table[Int(chunk >> 12 & 63)]
            output[out + 2] = table[Int(chunk >> 6 & 63)]
            output[out + 3] = table[Int(chunk & 63)]
            out += 4
            index += 3
        }
        let remaining = input.count - index
        if remaining > 0 {
            var chunk = UInt32(input[index]) << 16
            if remaining == 2 { chunk |= UInt32(input[index + 1]) << 8 }
            output[out] = table[Int(chunk >> 18 & 63)]
            output[out + 1] = table[Int(chunk >> 12 & 63)]
            out += 2
            if remaining == 2 {
                output[out] = table[Int(chunk >> 6 & 63)]
                out += 1
            }
        }
        return out
    }

    // MARK: Decoding

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        Array(text).withUnsafeBufferPointer { decode($0) }
    }

    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // A single leftover character cannot carry a whole byte.
        guard input.count % 4 != 1 else { return nil }
        let capacity = input.count * 3 / 4
        var valid = true
        let output = values.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: capacity) { output, initializedCount in
                var out = 0
                var index = 0
                while index + 4 <= input.count {
                    let a = table[Int(input[index])], b = table[Int(input[index + 1])]
                    let c = table[Int(input[index + 2])], d = table[Int(input[index + 3])]
                    guard (a | b | c | d) & 0xC0 == 0 else { valid = false; break }
                    let chunk = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    output[out] = UInt8(truncatingIfNeeded: chunk >> 16)
                    output[out + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                    output[out + 2] = UInt8(truncatingIfNeeded: chunk)
                    out += 3
                    index += 4
                }
                let remaining = input.count - index
                if valid, remaining > 0 {
                    var chunk: UInt32 = 0
                    for offset in 0..<remaining {
                        let value = table[Int(input[index + offset])]
                        guard value & 0xC0 == 0 else { valid = false; break }
                        chunk |= UInt32(value) << UInt32(18 - 6 * offset)
                    }
                    // Leftover bits must be zero, or the text is not the canonical spelling.
                    let unusedMask: UInt32 = remaining == 2 ? 0xFFFF : 0xFF
                    if valid, chunk & unusedMask == 0 {
                        output[out] = UInt8(truncatingIfNeeded: chunk >> 16)
                        if remaining == 3 { output[out + 1] = UInt8(truncatingIfNeeded: chunk >> 8) }
                        out += remaining - 1
                    } else {
                        valid = false
                    }
                }
                initializedCount = valid ? out : 0
            }
        }
        return valid ? output : nil
    }
}
