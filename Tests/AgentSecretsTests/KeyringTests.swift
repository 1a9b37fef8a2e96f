import Foundation
import Testing

@testable import AgentSecrets

@Suite struct KeyringTests {
    // MARK: Rotation

    @Test func multiKeyKeyringOpensOldValuesAndSealsWithActive() throws {
        let old = try TestKeys.keyring([(id: "k2025", hex: TestKeys.hexB)])
        let oldValue = try old.seal(TestKeys.apiKey, context: TestKeys.rowOne)

        let rotated = try TestKeys.keyring([(id: "k2026", hex: TestKeys.hexA), (id: "k2025", hex: TestKeys.hexB)])
        #expect(rotated.activeKeyID == "k2026")
        #expect(try rotated.open(oldValue, context: TestKeys.rowOne).exposedValue == TestKeys.apiKey)

        let newValue = try rotated.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(rotated.keyID(of: newValue) == "k2026")
        #expect(throws: SecretError.unknownKeyID("k2026")) { try old.open(newValue, context: TestKeys.rowOne) }
    }

    @Test func needsResealing() throws {
        let old = try TestKeys.keyring([(id: "k2025", hex: TestKeys.hexB)])
        let oldValue = try old.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        let rotated = try TestKeys.keyring(
            [(id: "k2025", hex: TestKeys.hexB), (id: "k2026", hex: TestKeys.hexA)], active: "k2026"
        )
        let current = try rotated.seal(TestKeys.apiKey, context: TestKeys.rowOne)

        #expect(!rotated.needsResealing(current))
        #expect(rotated.needsResealing(oldValue))
        #expect(!old.needsResealing(oldValue))
        #expect(rotated.needsResealing(SeedFixtures.openAI.encrypted))
        #expect(rotated.needsResealing("garbage"))

        let resealed = try rotated.reseal(oldValue, context: TestKeys.rowOne)
        #expect(!rotated.needsResealing(resealed))
        #expect(try rotated.open(resealed, context: TestKeys.rowOne).exposedValue == TestKeys.apiKey)
    }

    // MARK: Settings

    @Test func noKeyConfigured() throws {
        #expect(try Self.keyring([:]) == nil)
        #expect(try Self.keyring(["ENCRYPTION_KEY": "", "ENCRYPTION_KEYS": " "]) == nil)
    }

    @Test func singleKey() throws {
        let keyring = try #require(try Self.keyring(["ENCRYPTION_KEY": TestKeys.hexA + "\n"]))
        #expect(keyring.activeKeyID == Keyring.seedKeyID)
        #expect(keyring.keyIDs == ["default"])
    }

    @Test func keyListWithActiveID() throws {
        let env = [
            "ENCRYPTION_KEYS": "k2026:\(TestKeys.hexA), k2025:\(TestKeys.hexB.uppercased())",
            "ENCRYPTION_ACTIVE_KEY_ID": "k2025",
        ]
        let keyring = try #require(try Self.keyring(env))
        #expect(keyring.keyIDs == ["k2026", "k2025"])
        #expect(keyring.activeKeyID == "k2025")
    }

    /// A placeholder key (all zeros) seals nothing, but is taken beside the active key, to open what it
    /// sealed until a rotation has moved every row off it.
    @Test func aPlaceholderKeyOpensButDoesNotSeal() throws {
        let zeros = String(repeating: "0", count: 64)
        let keyring = try #require(try Self.keyring(["ENCRYPTION_KEYS": "k1:\(TestKeys.hexA),k0:\(zeros)"]))
        #expect(keyring.keyIDs == ["k1", "k0"] && keyring.activeKeyID == "k1")
    }

    @Test func bothVariablesTogether() throws {
        let env = ["ENCRYPTION_KEYS": "k2026:\(TestKeys.hexA)", "ENCRYPTION_KEY": SeedFixtures.encryptionKey]
        let keyring = try #require(try Self.keyring(env))
        #expect(keyring.keyIDs == ["k2026", "default"])
        #expect(keyring.activeKeyID == "k2026")
        // The ENCRYPTION_KEY entry still opens seed-format values.
        let opened = try keyring.open(SeedFixtures.gitHub.encrypted, context: TestKeys.rowOne)
        #expect(opened.exposedValue == SeedFixtures.gitHub.plaintext)
    }

    // MARK: Validation never echoes values

    static let invalidEnvironments: [(env: [String: String], expected: KeyringError, secret: String)] = [
        (
            ["ENCRYPTION_KEY": String(TestKeys.hexA.dropLast(2))],
            .invalidKeyLength(source: "ENCRYPTION_KEY", keyID: nil, length: 62), String(TestKeys.hexA.dropLast(2))
        ),
        (
            ["ENCRYPTION_KEY": "zz" + TestKeys.hexA.dropFirst(2)],
            .invalidKeyHex(source: "ENCRYPTION_KEY", keyID: nil), "zz" + TestKeys.hexA.dropFirst(2)
        ),
        (["ENCRYPTION_KEYS": "k1:\(TestKeys.hexA),k1:\(TestKeys.hexB)"], .duplicateKeyID("k1"), TestKeys.hexB),
        (
            ["ENCRYPTION_KEYS": "default:\(TestKeys.hexA)", "ENCRYPTION_KEY": TestKeys.hexB],
            .duplicateKeyID("default"), TestKeys.hexB
        ),
        (
            ["ENCRYPTION_KEYS": "k1:\(TestKeys.hexA)", "ENCRYPTION_ACTIVE_KEY_ID": "k9"],
            .unknownActiveKeyID("k9"), TestKeys.hexA
        ),
        (
            ["ENCRYPTION_KEYS": "k1:\(TestKeys.hexA),\(TestKeys.hexB)"],
            .malformedEntry(source: "ENCRYPTION_KEYS", position: 2), TestKeys.hexB
        ),
        // Id and key swapped: the "id" is a key and must not be echoed.
        (["ENCRYPTION_KEYS": "\(TestKeys.hexC):k1"], .invalidKeyID(source: "ENCRYPTION_KEYS", position: 1), TestKeys.hexC),
        (
            ["ENCRYPTION_KEY": TestKeys.hexA, "ENCRYPTION_ACTIVE_KEY_ID": TestKeys.hexC],
            .invalidKeyID(source: "ENCRYPTION_ACTIVE_KEY_ID", position: nil), TestKeys.hexC
        ),
        (
            ["ENCRYPTION_KEYS": "k1:\(TestKeys.hexC)00"],
            .invalidKeyLength(source: "ENCRYPTION_KEYS", keyID: "k1", length: 66), TestKeys.hexC
        ),
        (["ENCRYPTION_KEYS": ","], .emptyKeyList(source: "ENCRYPTION_KEYS"), ","),
        (
            ["ENCRYPTION_KEY": String(repeating: "0", count: 64)],
            .placeholderKey(source: "ENCRYPTION_KEY", keyID: nil), String(repeating: "0", count: 64)
        ),
        (
            ["ENCRYPTION_KEYS": "k0:\(String(repeating: "00", count: 32)),k1:\(TestKeys.hexA)"],
            .placeholderKey(source: "ENCRYPTION_KEYS", keyID: "k0"), String(repeating: "0", count: 64)
        ),
    ]

    @Test(arguments: invalidEnvironments.indices)
    func invalidEnvironment(index: Int) throws {
        let (env, expected, secret) = Self.invalidEnvironments[index]
        let error = #expect(throws: KeyringError.self) { try Self.keyring(env) }
        let thrown = try #require(error)
        #expect(thrown == expected)
        for text in [String(describing: thrown), thrown.localizedDescription, String(reflecting: thrown)] where secret.count > 2 {
            // Searched outside the expectation, which would print the secret.
            let leaks = text.contains(secret) || text.lowercased().contains(secret.lowercased().prefix(16))
            #expect(!leaks, "the error of invalid environment \(index)")
        }
    }

    @Test func errorDescriptionNamesTheVariable() throws {
        let error = #expect(throws: KeyringError.self) { try Self.keyring(["ENCRYPTION_KEY": "abc"]) }
        #expect(String(describing: try #require(error)).contains("ENCRYPTION_KEY"))
    }

    /// The keyring from settings given as environment variables would give them.
    static func keyring(_ env: [String: String]) throws(KeyringError) -> Keyring? {
        try Keyring.fromSettings(
            encryptionKey: env["ENCRYPTION_KEY"], encryptionKeys: env["ENCRYPTION_KEYS"],
            activeKeyID: env["ENCRYPTION_ACTIVE_KEY_ID"])
    }

    // MARK: Generation

    @Test func generatedKeysAreValidAndDistinct() throws {
        let first = Keyring.generateKeyHex()
        let second = Keyring.generateKeyHex()
        #expect(first.count == 64)
        #expect(first != second)
        #expect(first.allSatisfy { $0.isHexDigit })
        _ = try TestKeys.keyring([(id: "new", hex: first)])
    }
}
