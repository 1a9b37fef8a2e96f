/// Unpadded base64url (RFC 4648 §5) that rejects anything non-canonical.
///
/// Foundation's decoder tolerates nonzero trailing bits, which would let two
/// different texts open to the same value; a sealed value has exactly one
/// spelling. Hand-written also because sealing is on the request path.
/// Decoding is in `Base64URL+Decoding.swift`.
enum Base64URL {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The two characters for every 12-bit value, first character in the low
    /// byte: one lookup per two characters halves the table reads of encoding.
    private static let pairs: [UInt16] = (0..<4096).map { value in
        UInt16(alphabet[value >> 6]) | UInt16(alphabet[value & 63]) << 8
    }

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
                return head.count
                    + encode(
                        input, into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: output[head.count...])))
            }
        }
    }

    /// Writes the encoding of `input` to `output` (at least ``encodedCount(_:)`` bytes); the byte count.
    private static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        pairs.withUnsafeBufferPointer { pairs in
            var out = 0
            var index = 0
            // Six bytes (eight characters) per step while a whole 8-byte word can be read.
            while index + 8 <= input.count {
                let word = UInt64(bigEndian: input.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let first = Int(truncatingIfNeeded: word >> 40)
                let second = Int(truncatingIfNeeded: word >> 16) & 0xFF_FFFF
                let characters =
                    UInt64(pairs[first >> 12]) | UInt64(pairs[first & 0xFFF]) << 16
                    | UInt64(pairs[second >> 12]) << 32 | UInt64(pairs[second & 0xFFF]) << 48
                // Little-endian, so the first character lands first whatever the host's byte order.
                output.storeBytes(of: characters.littleEndian, toByteOffset: out, as: UInt64.self)
                out += 8
                index += 6
            }
            while index + 3 <= input.count {
                let chunk = Int(input[index]) << 16 | Int(input[index + 1]) << 8 | Int(input[index + 2])
                let characters = UInt32(pairs[chunk >> 12]) | UInt32(pairs[chunk & 0xFFF]) << 16
                output.storeBytes(of: characters.littleEndian, toByteOffset: out, as: UInt32.self)
                out += 4
                index += 3
            }
            let remaining = input.count - index
            if remaining > 0 {
                var chunk = Int(input[index]) << 16
                if remaining == 2 { chunk |= Int(input[index + 1]) << 8 }
                let characters = pairs[chunk >> 12]
                output[out] = UInt8(truncatingIfNeeded: characters)
                output[out + 1] = UInt8(truncatingIfNeeded: characters >> 8)
                out += 2
                if remaining == 2 {
                    output[out] = alphabet[chunk >> 6 & 63]
                    out += 1
                }
            }
            return out
        }
    }
}
