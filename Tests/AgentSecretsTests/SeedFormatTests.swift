import Testing

@testable import AgentSecrets

@Suite struct SeedFormatTests {
    let keyring: Keyring

    init() throws {
        keyring = try #require(
            try Keyring.fromSettings(encryptionKey: SeedFixtures.encryptionKey, encryptionKeys: nil, activeKeyID: nil))
    }

    @Test(arguments: SeedFixtures.all.indices)
    func opensAndReseals(index: Int) throws {
        let fixture = SeedFixtures.all[index]
        #expect(keyring.keyID(of: fixture.encrypted) == Keyring.seedKeyID)
        #expect(keyring.needsResealing(fixture.encrypted))
        // The seed format has no context: any row opens it, once, for import.
        #expect(try keyring.open(fixture.encrypted, context: TestKeys.rowOne).exposedValue == fixture.plaintext)

        let resealed = try keyring.reseal(fixture.encrypted, context: TestKeys.rowOne)
        #expect(resealed.hasPrefix("ak1.default."))
        #expect(!keyring.needsResealing(resealed))
        #expect(try keyring.open(resealed, context: TestKeys.rowOne).exposedValue == fixture.plaintext)
        #expect(throws: SecretError.authenticationFailed) { try keyring.open(resealed, context: TestKeys.rowTwo) }
    }

    @Test func resealsIntoARotatedKey() throws {
        let rotated = try #require(
            try Keyring.fromSettings(
                encryptionKey: SeedFixtures.encryptionKey, encryptionKeys: "k2026:\(TestKeys.hexA)", activeKeyID: nil))
        let resealed = try rotated.reseal(SeedFixtures.unicode.encrypted, context: TestKeys.rowOne)
        #expect(rotated.keyID(of: resealed) == "k2026")
        #expect(try rotated.open(resealed, context: TestKeys.rowOne).exposedValue == SeedFixtures.unicode.plaintext)
    }

    @Test func wrongKeyFails() throws {
        let other = try #require(try Keyring.fromSettings(encryptionKey: TestKeys.hexA, encryptionKeys: nil, activeKeyID: nil))
        #expect(throws: SecretError.authenticationFailed) {
            try other.open(SeedFixtures.openAI.encrypted, context: TestKeys.rowOne)
        }
    }

    @Test func withoutSeedKeyTheIDIsNamed() throws {
        let other = try TestKeys.keyring([(id: "k2026", hex: SeedFixtures.encryptionKey)])
        #expect(throws: SecretError.unknownKeyID("default")) {
            try other.open(SeedFixtures.openAI.encrypted, context: TestKeys.rowOne)
        }
    }

    @Test func tamperedSeedValueFails() throws {
        var bytes = Array(SeedFixtures.openAI.encrypted.utf8)
        for position in bytes.indices where bytes[position] != UInt8(ascii: ":") {
            let original = bytes[position]
            // Another hex digit of the same case, so only the value changes.
            bytes[position] = original == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(throws: SecretError.self, "position \(position)") {
                try keyring.open(text, context: TestKeys.rowOne)
            }
            bytes[position] = original
        }
    }

    @Test func seedFormatCanBeTurnedOff() throws {
        var strict = keyring
        strict.acceptsSeedFormat = false
        #expect(throws: SecretError.self) { try strict.open(SeedFixtures.openAI.encrypted, context: TestKeys.rowOne) }
    }

    @Test(arguments: ["00:11:22", "d9ef6081eebb5109bf74f5f93843a555:68c4b81f:95c9", "xx:yy:zz", "a:b:c:d"])
    func malformedSeedValues(text: String) {
        #expect(throws: SecretError.self) { try keyring.open(text, context: TestKeys.rowOne) }
    }
}
