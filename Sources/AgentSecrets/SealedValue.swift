/// A stored API key, parsed but not yet opened.
///
/// ## Current format (`ak1`)
///
///     ak1.<keyID>.<base64url(nonce ‖ ciphertext ‖ tag)>
///
/// - `ak1`: format version; a new format gets a new prefix.
/// - `keyID`: the keyring id of the sealing key, `[A-Za-z0-9_-]{1,32}`.
/// - payload: base64url without padding, canonical (unused trailing bits zero);
///   12-byte random nonce, AES-256-GCM ciphertext of the UTF-8 plaintext,
///   16-byte tag. The associated data is ``SealContext/withAssociatedData(keyID:_:)``.
///
/// ## Seed format (read only)
///
///     <iv hex>:<tag hex>:<ciphertext hex>
///
/// The seed's Node implementation: 16-byte IV, 16-byte tag, no associated data,
/// key `ENCRYPTION_KEY` (keyring id ``Keyring/seedKeyID``). Opened only so
/// imported values can be re-sealed into `ak1`.
enum SealedValue: Sendable {
    case current(keyID: String, payload: [UInt8])
    case seed(iv: [UInt8], tag: [UInt8], ciphertext: [UInt8])

    static let currentVersion = "ak1"
    static let nonceByteCount = 12
    static let tagByteCount = 16
    static let seedIVByteCount = 16

    // MARK: Parsing

    init(parsing stored: String) throws(SecretError) {
        var stored = stored
        // withUTF8 is `rethrows`, which erases the error type; carry it out in a Result.
        let parsed = stored.withUTF8 { utf8 in Result { () throws(SecretError) in try SealedValue(parsing: utf8) } }
        self = try parsed.get()
    }

    init(parsing utf8: UnsafeBufferPointer<UInt8>) throws(SecretError) {
        if let parts = Self.currentParts(utf8) {
            let payload = try Self.decodePayload(parts.payload) { Array($0) }
            self = .current(keyID: String(decoding: parts.keyID, as: UTF8.self), payload: payload)
            return
        }
        if utf8.starts(with: Self.currentPrefix) {
            throw .malformedValue(reason: "expected ak1.<keyID>.<payload> with a valid key id")
        }
        let parts = utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformedValue(reason: "unrecognised format")
        }
        guard let iv = Hex.decode(parts[0]), iv.count == Self.seedIVByteCount,
            let tag = Hex.decode(parts[1]), tag.count == Self.tagByteCount,
            let ciphertext = Hex.decode(parts[2])
        else {
            throw .malformedValue(reason: "seed format needs a 16-byte hex iv, a 16-byte hex tag and hex ciphertext")
        }
        self = .seed(iv: iv, tag: tag, ciphertext: ciphertext)
    }

    private static let currentPrefix: [UInt8] = Array((currentVersion + ".").utf8)

    /// The key id of an `ak1` value, or nil when `stored` is not one.
    static func currentKeyID(_ stored: String) -> String? {
        var stored = stored
        return stored.withUTF8 { utf8 in currentParts(utf8).map { String(decoding: $0.keyID, as: UTF8.self) } }
    }

    /// The key id and payload text of an `ak1` value, located in one scan of its
    /// bytes without copying; nil when `utf8` does not start `ak1.<valid keyID>.`.
    static func currentParts(
        _ utf8: UnsafeBufferPointer<UInt8>
    ) -> (keyID: UnsafeBufferPointer<UInt8>, payload: UnsafeBufferPointer<UInt8>)? {
        let idStart = currentPrefix.count
        guard utf8.count > idStart, currentPrefix.withUnsafeBufferPointer({ utf8.starts(with: $0) }) else { return nil }
        var index = idStart
        // Ids are 1...32 bytes, so the dot must come within 33 bytes of the prefix.
        while index < utf8.count, index - idStart <= Keyring.maximumKeyIDLength {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                guard index > idStart else { return nil }
                return (UnsafeBufferPointer(rebasing: utf8[idStart..<index]), UnsafeBufferPointer(rebasing: utf8[(index + 1)...]))
            }
            guard Keyring.isKeyIDByte(byte) else { return nil }
            index += 1
        }
        return nil
    }

    /// Decodes an `ak1` payload into a temporary buffer (on the stack for API-key
    /// sizes) and lends it, checked for length, to `body`.
    static func decodePayload<Result>(
        _ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeRawBufferPointer) throws(SecretError) -> Result
    ) throws(SecretError) -> Result {
        try withUnsafeTemporaryAllocation(byteCount: Base64URL.decodedCapacity(text.count), alignment: 1) {
            buffer throws(SecretError) in
            guard let count = Base64URL.decode(text, into: buffer) else {
                throw .malformedValue(reason: "payload is not canonical unpadded base64url")
            }
            guard count >= nonceByteCount + tagByteCount else {
                throw .malformedValue(reason: "payload too short")
            }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The id of the key that opens this value.
    var keyID: String {
        switch self {
        case .current(let keyID, _): keyID
        case .seed: Keyring.seedKeyID
        }
    }

    // MARK: Formatting

    /// `ak1.<keyID>.`, which ``formatCurrent(prefix:payload:)`` puts before the payload.
    static func valuePrefix(keyID: String) -> String {
        currentVersion + "." + keyID + "."
    }

    /// `ak1.<keyID>.<payload>` from ``valuePrefix(keyID:)``, built in one allocation.
    static func formatCurrent(prefix: String, payload: UnsafeRawBufferPointer) -> String {
        Base64URL.encode(payload, after: prefix)
    }
}
