import Foundation
import Testing

@testable import AgentSecrets

@Suite struct SealingTests {
    let keyring: Keyring

    init() throws {
        keyring = try TestKeys.keyring([(id: "k2026", hex: TestKeys.hexA)])
    }

    // MARK: Round trip

    @Test(arguments: ["", "x", TestKeys.apiKey, "clé-ünïcødé-密钥-🔑", String(repeating: "z", count: 4096)])
    func roundTrip(plaintext: String) throws {
        let sealed = try keyring.seal(plaintext, context: TestKeys.rowOne)
        let opened = try keyring.open(sealed, context: TestKeys.rowOne)
        #expect(opened.exposedValue == plaintext)
    }

    @Test func sealedValueIsSelfDescribing() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(sealed.hasPrefix("ak1.k2026."))
        let holdsTheKey = sealed.contains(TestKeys.apiKey)
        #expect(!holdsTheKey)
        #expect(!sealed.contains("="))
        let payload = try #require(Base64URL.decode(sealed.utf8.dropFirst("ak1.k2026.".utf8.count)))
        #expect(payload.count == 12 + TestKeys.apiKey.utf8.count + 16)
        #expect(keyring.keyID(of: sealed) == "k2026")
    }

    @Test func noncesAreFresh() throws {
        let first = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let second = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(first != second)
    }

    // MARK: Tampering

    @Test func everyCharacterFlipFailsToOpen() throws {
        let sealed = Array(try keyring.seal("sk-abc123", context: TestKeys.rowOne).utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for position in sealed.indices {
            // A different character of the alphabet, so the text stays plausible.
            var tampered = sealed
            let index = alphabet.firstIndex(of: sealed[position]).map { ($0 + 1) % alphabet.count } ?? 0
            tampered[position] = alphabet[index]
            let text = String(decoding: tampered, as: UTF8.self)
            #expect(throws: SecretError.self, "position \(position)") {
                try keyring.open(text, context: TestKeys.rowOne)
            }
        }
    }

    @Test(arguments: [0, 1, 2, 3])
    func everyPayloadBitFlipFailsToOpen(plaintextLength: Int) throws {
        // Lengths 0...3 cover every base64 padding remainder.
        let plaintext = String(repeating: "k", count: plaintextLength)
        let sealed = try keyring.seal(plaintext, context: TestKeys.rowOne)
        let prefix = "ak1.k2026."
        let payload = try #require(Base64URL.decode(sealed.utf8.dropFirst(prefix.utf8.count)))
        for byte in payload.indices {
            for bit in 0..<8 {
                var tampered = payload
                tampered[byte] ^= 1 << bit
                let text = prefix + Base64URL.encode(tampered)
                #expect(throws: SecretError.authenticationFailed, "byte \(byte) bit \(bit)") {
                    try keyring.open(text, context: TestKeys.rowOne)
                }
            }
        }
    }

    @Test func truncatedOrExtendedPayloadFails() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        for text in [
            String(sealed.dropLast()), String(sealed.dropLast(4)), sealed + "A", sealed + "AA", "ak1.k2026.", "ak1.k2026.AAAA",
        ] {
            #expect(throws: SecretError.self) { try keyring.open(text, context: TestKeys.rowOne) }
        }
    }

    @Test func nonCanonicalBase64IsMalformed() throws {
        // 1 byte of payload per 2 characters: "AB" leaves nonzero unused bits.
        #expect(Base64URL.decode("AB".utf8) == nil)
        #expect(Base64URL.decode("AA".utf8) == [0])
        #expect(Base64URL.decode("A+".utf8) == nil)
        #expect(Base64URL.decode("AAA=".utf8) == nil)
    }

    @Test func base64RoundTripsEveryLength() {
        for length in 0..<64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes).utf8) == bytes, "length \(length)")
        }
    }

    @Test func pooledNoncesDoNotRepeat() {
        // Spans many pool refills (21 nonces each).
        let nonces = (0..<5_000).map { _ in
            [UInt8](unsafeUninitializedCapacity: 12) { bytes, count in
                NoncePool.write(into: UnsafeMutableRawBufferPointer(bytes))
                count = 12
            }
        }
        #expect(Set(nonces).count == nonces.count)
        #expect(nonces.allSatisfy { $0.count == 12 })
    }

    @Test(arguments: ["", "plain", "ak1.", "ak1..AAAA", "ak1.bad id.AAAA", "ak1.k2026", "ak2.k2026.AAAA", "a:b:c", "00:11:22"])
    func malformedValues(text: String) {
        #expect(throws: SecretError.self) { try keyring.open(text, context: TestKeys.rowOne) }
        #expect(keyring.keyID(of: text) == nil)
    }

    // MARK: Context binding

    @Test func movedToAnotherRowFails() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(throws: SecretError.authenticationFailed) {
            try keyring.open(sealed, context: TestKeys.rowTwo)
        }
    }

    @Test func movedToAnotherTenantFails() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(throws: SecretError.authenticationFailed) {
            try keyring.open(sealed, context: TestKeys.otherTenant)
        }
    }

    @Test func contextEncodingIsUnambiguous() {
        let first = SealContext(tenantID: "ab", connectionID: "c").withAssociatedData(keyID: "k") { Array($0) }
        let second = SealContext(tenantID: "a", connectionID: "bc").withAssociatedData(keyID: "k") { Array($0) }
        #expect(first != second)
    }

    // MARK: Keys

    @Test func wrongKeyFails() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let impostor = try TestKeys.keyring([(id: "k2026", hex: TestKeys.hexB)])
        #expect(throws: SecretError.authenticationFailed) {
            try impostor.open(sealed, context: TestKeys.rowOne)
        }
    }

    @Test func unknownKeyIDIsNamed() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let other = try TestKeys.keyring([(id: "k2027", hex: TestKeys.hexA)])
        let error = #expect(throws: SecretError.self) { try other.open(sealed, context: TestKeys.rowOne) }
        #expect(error == .unknownKeyID("k2026"))
        #expect(String(describing: try #require(error)).contains("'k2026'"))
    }

    @Test func relabelledKeyIDFails() throws {
        // Same key under two ids: the id is authenticated, so relabelling is caught.
        let twoNames = try TestKeys.keyring([(id: "a", hex: TestKeys.hexA), (id: "b", hex: TestKeys.hexA)])
        let sealed = try twoNames.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let relabelled = "ak1.b." + sealed.dropFirst("ak1.a.".count)
        #expect(throws: SecretError.authenticationFailed) {
            try twoNames.open(relabelled, context: TestKeys.rowOne)
        }
    }

    @Test func errorDescriptionsCarryNoSecrets() throws {
        let sealed = try keyring.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let errors: [SecretError] = [
            .malformedValue(reason: "x"), .unknownKeyID("k1"), .authenticationFailed, .sealingFailed,
        ]
        for error in errors {
            let text = String(describing: error) + error.localizedDescription
            // Searched outside the expectations, which would print what they look for.
            let leaks = [TestKeys.apiKey, TestKeys.hexA, sealed].filter { text.contains($0) }.count
            #expect(leaks == 0)
        }
    }
}
