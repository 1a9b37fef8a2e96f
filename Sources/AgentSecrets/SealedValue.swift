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
///   16-byte tag. The associated data is ``SealContext/associatedData(keyID:)``.
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
        if let keyID = Self.currentKeyID(utf8) {
            let payloadStart = Self.currentVersion.utf8.count + 1 + keyID.utf8.count + 1
            guard let payload = Base64URL.decode(UnsafeBufferPointer(rebasing: utf8[payloadStart...])) else {
                throw .malformedValue(reason: "payload is not canonical unpadded base64url")
            }
            guard payload.count >= Self.nonceByteCount + Self.tagByteCount else {
                throw .malformedValue(reason: "payload too short")
            }
            self = .current(keyID: keyID, payload: payload)
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
        return stored.withUTF8 { currentKeyID($0) }
    }

    static func currentKeyID(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        guard utf8.starts(with: currentPrefix) else { return nil }
        let rest = utf8[currentPrefix.count...]
        guard let dot = rest.prefix(33).firstIndex(of: UInt8(ascii: ".")) else { return nil }
        let keyID = String(decoding: rest[..<dot], as: UTF8.self)
        return Keyring.isValidKeyID(keyID) ? keyID : nil
    }

    /// The id of the key that opens this value.
    var keyID: String {
        switch self {
        case .current(let keyID, _): keyID
        case .seed: Keyring.seedKeyID
        }
    }

    // MARK: Formatting

    /// `ak1.<keyID>.<payload>`, built in one allocation.
    static func formatCurrent(keyID: String, payload: UnsafeRawBufferPointer) -> String {
        Base64URL.encode(payload, after: currentVersion + "." + keyID + ".")
    }
}
