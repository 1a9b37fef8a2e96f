import Crypto

/// The AES-256 keys that seal tenants' API keys, by id, with one active for sealing.
///
/// Keys come from the platform's settings
/// (``fromSettings(encryptionKey:encryptionKeys:activeKeyID:)``) or, for a local
/// development database only, from a key file (``loadOrCreateLocalKey(at:)``);
/// never from the database they protect. Older keys stay in the ring so
/// values sealed with them still open until they are re-sealed.
/// Key bytes live in ``AESGCMKey`` contexts, which zero them when released.
public struct Keyring: Sendable {
    /// Id of the key given as `ENCRYPTION_KEY`; it also opens seed-format values.
    public static let seedKeyID = "default"
    /// Id of the key created by ``loadOrCreateLocalKey(at:)``.
    public static let localKeyID = "local"

    /// The id of the key new values are sealed with.
    public let activeKeyID: String
    /// Every configured id, in configuration order.
    public let keyIDs: [String]
    /// Whether seed-format (`iv:tag:ciphertext`) values may be opened.
    ///
    /// They carry no tenant or row binding; turn this off once every imported
    /// value has been re-sealed so an old copy cannot be planted back.
    public var acceptsSeedFormat = true

    let keys: [String: AESGCMKey]
    /// `keys[activeKeyID]`, kept apart so sealing skips the lookup.
    let activeKey: AESGCMKey
    /// `ak1.<activeKeyID>.`, built once rather than on every seal.
    let activeValuePrefix: String
    /// The HMAC key of ``fingerprint(ofAPIKey:)``, derived from the active key (see there why that one).
    let fingerprintKey: SymmetricKey

    // MARK: Initialisers

    /// A keyring from `(id, 64-hex-character key)` pairs.
    ///
    /// - Parameter activeKeyID: the sealing key; the first entry when nil.
    public init(keys entries: [(id: String, hex: String)], activeKeyID: String? = nil) throws(KeyringError) {
        try self.init(entries: entries.map { KeyEntry(source: "keyring", id: $0.id, hex: $0.hex) }, activeKeyID: activeKeyID)
    }

    init(entries: [KeyEntry], activeKeyID: String?) throws(KeyringError) {
        var keys: [String: AESGCMKey] = [:]
        var fingerprintKeys: [String: SymmetricKey] = [:]
        var ids: [String] = []
        var placeholders: [String: KeyEntry] = [:]
        for (index, entry) in entries.enumerated() {
            guard Self.isValidKeyID(entry.id) else {
                throw .invalidKeyID(source: entry.source, position: entries.count > 1 ? index + 1 : nil)
            }
            let key = try Self.parseKey(entry)
            guard keys[entry.id] == nil else { throw .duplicateKeyID(entry.id) }
            keys[entry.id] = key.sealing
            fingerprintKeys[entry.id] = key.fingerprint
            if key.isPlaceholder { placeholders[entry.id] = entry }
            ids.append(entry.id)
        }
        let active = activeKeyID ?? ids.first ?? ""
        guard let activeKey = keys[active], let fingerprintKey = fingerprintKeys[active] else {
            throw .unknownActiveKeyID(active)
        }
        // A placeholder seals nothing new; kept to open what it sealed, it lets a rotation move off it.
        if let placeholder = placeholders[active] {
            throw .placeholderKey(
                source: placeholder.source, keyID: placeholder.source == "ENCRYPTION_KEY" ? nil : placeholder.id)
        }
        self.keys = keys
        self.activeKey = activeKey
        self.fingerprintKey = fingerprintKey
        self.keyIDs = ids
        self.activeKeyID = active
        self.activeValuePrefix = SealedValue.valuePrefix(keyID: active)
    }

    // MARK: Validation

    /// Key ids are `[A-Za-z0-9_-]{1,32}`: safe in the sealed format, in logs and in errors.
    public static func isValidKeyID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...maximumKeyIDLength).contains(utf8.count) else { return false }
        return utf8.allSatisfy(isKeyIDByte)
    }

    /// The longest key id, in bytes (all ASCII).
    static let maximumKeyIDLength = 32

    /// Whether `byte` may appear in a key id: `[A-Za-z0-9_-]`.
    static func isKeyIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// The sealing key of `entry` and the fingerprint key derived from it.
    static func parseKey(_ entry: KeyEntry) throws(KeyringError) -> (
        sealing: AESGCMKey, fingerprint: SymmetricKey, isPlaceholder: Bool
    ) {
        let keyID = entry.source == "ENCRYPTION_KEY" ? nil : entry.id
        guard entry.hex.utf8.count == 64 else {
            throw .invalidKeyLength(source: entry.source, keyID: keyID, length: entry.hex.count)
        }
        guard var bytes = Hex.decode(entry.hex.utf8) else {
            throw .invalidKeyHex(source: entry.source, keyID: keyID)
        }
        defer {
            // Best effort: the context's copy is zeroed on release; this one now.
            for index in bytes.indices { bytes[index] = 0 }
        }
        let key = SymmetricKey(data: bytes)
        return (AESGCMKey(key), deriveFingerprintKey(from: key), !bytes.contains { $0 != 0 })
    }
}

/// One configured key before validation; `source` names where it came from for errors.
struct KeyEntry: Sendable {
    var source: String
    var id: String
    var hex: String
}
