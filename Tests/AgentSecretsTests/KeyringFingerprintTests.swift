import Crypto
import Testing

@testable import AgentSecrets

/// API key fingerprints are keyed: equal keys match under one platform's key and nowhere else.
@Suite struct KeyringFingerprintTests {
    static let apiKey = TestKeys.apiKey
    static let otherKey = "sk-proj-TestOnly0123456789abcdefghijklmnopqrstuvwxyzABCE"

    /// What fingerprints were before they were keyed: 16 hex digits of SHA-256 over a domain string and the key.
    static func unkeyed(_ apiKey: String) -> String {
        Hex.encode(SHA256.hash(data: Array(("agent-platform/api-key-fingerprint/v1\u{0}" + apiKey).utf8)).prefix(8))
    }

    @Test func tellsKeysApartInAMarkedFormat() throws {
        let keyring = try TestKeys.keyring([("k1", TestKeys.hexA)])
        let fingerprint = keyring.fingerprint(ofAPIKey: Self.apiKey)
        #expect(fingerprint == keyring.fingerprint(ofAPIKey: Self.apiKey))
        #expect(fingerprint == keyring.fingerprint(of: Secret(Self.apiKey)))
        #expect(fingerprint != keyring.fingerprint(ofAPIKey: Self.otherKey))
        #expect(fingerprint.hasPrefix("hmac:") && Keyring.isKeyedFingerprint(fingerprint))
        let digits = fingerprint.dropFirst("hmac:".count)
        #expect(digits.count == 16 && digits.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(!Keyring.isKeyedFingerprint(Self.unkeyed(Self.apiKey)))
    }

    @Test func isAnHMACUnderAKeyDerivedFromTheActiveKey() throws {
        let keyring = try TestKeys.keyring([("k1", TestKeys.hexA)])
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Hex.decode(TestKeys.hexA.utf8)!),
            info: Array("agent-platform api key fingerprint v1".utf8), outputByteCount: 32)
        let code = HMAC<SHA256>.authenticationCode(for: Array(Self.apiKey.utf8), using: derived)
        #expect(keyring.fingerprint(ofAPIKey: Self.apiKey) == "hmac:" + Hex.encode(Array(code).prefix(8)))

        // Not an unkeyed hash any more, nor an HMAC under the sealing key itself.
        let plain = Hex.encode(SHA256.hash(data: Array(Self.apiKey.utf8)).prefix(8))
        let underSealingKey = HMAC<SHA256>.authenticationCode(
            for: Array(Self.apiKey.utf8), using: SymmetricKey(data: Hex.decode(TestKeys.hexA.utf8)!))
        let digits = String(keyring.fingerprint(ofAPIKey: Self.apiKey).dropFirst("hmac:".count))
        #expect(digits != plain && digits != Self.unkeyed(Self.apiKey))
        #expect(digits != Hex.encode(Array(underSealingKey).prefix(8)))
    }

    @Test func anotherPlatformKeyGivesAnotherFingerprint() throws {
        let one = try TestKeys.keyring([("k1", TestKeys.hexA)])
        let other = try TestKeys.keyring([("k1", TestKeys.hexB)])
        #expect(one.fingerprint(ofAPIKey: Self.apiKey) != other.fingerprint(ofAPIKey: Self.apiKey))
        // The active key decides, not the ring's other keys nor the key's id.
        let rotated = try TestKeys.keyring([("k2", TestKeys.hexB), ("k1", TestKeys.hexA)])
        #expect(rotated.fingerprint(ofAPIKey: Self.apiKey) == other.fingerprint(ofAPIKey: Self.apiKey))
        let renamed = try TestKeys.keyring([("k9", TestKeys.hexA), ("k1", TestKeys.hexB)])
        #expect(renamed.fingerprint(ofAPIKey: Self.apiKey) == one.fingerprint(ofAPIKey: Self.apiKey))
    }

    @Test(arguments: [
        "sk-proj-TestOnly0123456789abcdefghijklmnopqrstuvwxyzABCD", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "0123456789abcdef", "abcdef0123456789abcdef", "hmac:0123456789abcdef", "",
    ])
    func neverShowsTheKey(apiKey: String) throws {
        let fingerprint = try TestKeys.keyring([("k1", TestKeys.hexC)]).fingerprint(ofAPIKey: apiKey)
        // Compared outside the expectations, which would print the key.
        let differs = fingerprint != apiKey
        let holdsTheKey = !apiKey.isEmpty && fingerprint.contains(apiKey)
        #expect(differs && !holdsTheKey)
    }
}
