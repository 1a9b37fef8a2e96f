/// Strings from opened plaintext bytes, rejecting (not repairing) invalid UTF-8.
enum UTF8Text {
    /// The text `bytes` spell, or nil when they are not valid UTF-8.
    ///
    /// API keys are ASCII, which is valid UTF-8 as it stands: checking that a
    /// word at a time lets them skip `String(validating:)`, whose generic,
    /// unspecialised path cost more than the rest of turning bytes into a string.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        let utf8 = bytes.assumingMemoryBound(to: UInt8.self)
        return isASCII(bytes) ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
    }

    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        var seen: UInt64 = 0
        while index + 8 <= bytes.count {
            seen |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            seen |= UInt64(bytes[index])
            index += 1
        }
        return seen & highBits == 0
    }
}
