// MARK: Decoding

extension Base64URL {
    /// For each of the four positions in a 4-character group (256 entries
    /// each), a character's 6 bits already shifted into place, or
    /// ``invalidBits`` for a character outside the alphabet: a group decodes
    /// with four reads and three ORs, and one test rejects it.
    private static let shiftedValues: [UInt32] = {
        var table = [UInt32](repeating: invalidBits, count: 4 * 256)
        for (value, character) in alphabet.enumerated() {
            for position in 0..<4 {
                table[position * 256 + Int(character)] = UInt32(value) << UInt32(18 - 6 * position)
            }
        }
        return table
    }()

    /// Set only for characters outside the alphabet; above the 24 data bits.
    private static let invalidBits: UInt32 = 0xFF00_0000

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        Array(text).withUnsafeBufferPointer { decode($0) }
    }

    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: decodedCapacity(input.count)) { output, initializedCount in
            let count = decode(input, into: UnsafeMutableRawBufferPointer(output))
            valid = count != nil
            initializedCount = count ?? 0
        }
        return valid ? output : nil
    }

    /// Room enough for the decoding of `characterCount` characters.
    static func decodedCapacity(_ characterCount: Int) -> Int { characterCount * 3 / 4 }

    /// Decodes `input` into `output` (at least ``decodedCapacity(_:)`` bytes), so
    /// opening can decode onto the stack; the byte count, or nil when `input` is
    /// not canonical unpadded base64url.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableRawBufferPointer) -> Int? {
        // A single leftover character cannot carry a whole byte.
        guard input.count % 4 != 1 else { return nil }
        precondition(output.count >= decodedCapacity(input.count), "base64url output buffer too small")
        return shiftedValues.withUnsafeBufferPointer { table -> Int? in
            var out = 0
            var index = 0
            while index + 4 <= input.count {
                let chunk =
                    table[Int(input[index])] | table[256 + Int(input[index + 1])]
                    | table[512 + Int(input[index + 2])] | table[768 + Int(input[index + 3])]
                guard chunk & invalidBits == 0 else { return nil }
                output[out] = UInt8(truncatingIfNeeded: chunk >> 16)
                output[out + 1] = UInt8(truncatingIfNeeded: chunk >> 8)
                output[out + 2] = UInt8(truncatingIfNeeded: chunk)
                out += 3
                index += 4
            }
            let remaining = input.count - index
            guard remaining > 0 else { return out }
            var chunk: UInt32 = 0
            for position in 0..<remaining {
                chunk |= table[position * 256 + Int(input[index + position])]
            }
            // Leftover bits must be zero, or the text is not the canonical spelling.
            let unusedMask: UInt32 = remaining == 2 ? 0xFFFF : 0xFF
            guard chunk & (invalidBits | unusedMask) == 0 else { return nil }
            output[out] = UInt8(truncatingIfNeeded: chunk >> 16)
            if remaining == 3 { output[out + 1] = UInt8(truncatingIfNeeded: chunk >> 8) }
            return out + remaining - 1
        }
    }
}
