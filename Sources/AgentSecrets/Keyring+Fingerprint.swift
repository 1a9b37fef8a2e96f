import Crypto

// MARK: API key fingerprints

extension Keyring {
    /// What every keyed fingerprint starts with. Fingerprints stored before it (16 bare hex digits of an
    /// unkeyed SHA-256) lack it, so `agentctl keys rotate` can find and recompute them.
    public static let fingerprintPrefix = "hmac:"

    /// The HKDF `info` label of the fingerprint key: it keeps the derived key apart from any other key
    /// a later version derives from the same sealing key.
    static let fingerprintKeyInfo = "agent-platform api key fingerprint v1"

    /// Hex digits after ``fingerprintPrefix``: 64 bits tell a tenant's keys apart with room to spare.
    static let fingerprintHexCount = 16

    /// The fingerprint of an API key: ``fingerprintPrefix`` and the first 16 hex digits of
    /// HMAC-SHA256 of the key under a key derived (HKDF-SHA256) from the active key.
    ///
    /// It lets an operator tell two keys apart, or spot the same key in two connections, without
    /// revealing either. Keyed, so that someone who reads the database (or a backup) can neither
    /// confirm a guessed key nor match keys across platforms; within one platform equal keys still
    /// match, across tenants too, which is what an operator asks of it.
    ///
    /// Why the *active* key rather than a stable one: the keyring has no key that outlives rotation
    /// (retiring the old key is the point of rotating), and a separate, never-rotated fingerprint key
    /// would be one more secret to keep that could not be replaced if it leaked. So the fingerprint
    /// key rotates with the sealing key, and each row's fingerprint is computed under the key that
    /// seals its `api_key` (both are written together); `agentctl keys rotate` re-seals a row and
    /// recomputes its fingerprint in the same update. Once rotation is done every fingerprint is
    /// under the new key and comparable again; until then only rows sealed under the same key compare.
    public func fingerprint(ofAPIKey apiKey: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(apiKey.utf8), using: fingerprintKey)
        return Self.fingerprintPrefix + Hex.encode(Array(code).prefix(Self.fingerprintHexCount / 2))
    }

    /// The fingerprint of an opened key; see ``fingerprint(ofAPIKey:)``.
    public func fingerprint(of secret: Secret) -> String {
        secret.withPlaintext { fingerprint(ofAPIKey: $0) }
    }

    /// Whether `stored` is a keyed fingerprint (under some key), not one of the unkeyed format before it.
    public static func isKeyedFingerprint(_ stored: String) -> Bool {
        stored.hasPrefix(fingerprintPrefix)
    }

    /// The fingerprint key of a sealing key: HKDF-SHA256 with a fixed label, so the sealing key itself
    /// never serves as an HMAC key.
    static func deriveFingerprintKey(from key: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Array(fingerprintKeyInfo.utf8), outputByteCount: 32)
    }
}
