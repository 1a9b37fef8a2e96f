import Crypto
import Testing

@testable import AgentSecrets

/// Pins the `ak1` format to values sealed by an independent implementation
/// (Node's crypto, AES-256-GCM with the documented associated data), so a
/// faster code path cannot drift from the stored format unnoticed.
@Suite struct CurrentFormatTests {
    let keyring: Keyring

    init() throws {
        keyring = try TestKeys.keyring([(id: "k2026", hex: TestKeys.hexA)])
    }

    /// `ak1` / `k2026` / `tenant-1` / `conn-1`, each behind a 4-byte big-endian length.
    static let rowOneAssociatedDataHex =
        "00000003616b31000000056b323032360000000874656e616e742d3100000006636f6e6e2d31"

    @Test func associatedDataLayout() {
        let lent = TestKeys.rowOne.withAssociatedData(keyID: "k2026") { Hex.encode($0) }
        #expect(lent == Self.rowOneAssociatedDataHex)
    }

    @Test func opensValueSealedElsewhere() throws {
        let sealed = "ak1.k2026.CwoJCAcGBQQDAgEAtGfqvmlLNFz6xOVhR0tzt9owJ_kue0A91JVsFzf3F4uWxlHUQ0m5Uprb"
        #expect(try keyring.open(sealed, context: TestKeys.rowOne).exposedValue == "sk-proj-fixture-ünï-🔑")
        #expect(throws: SecretError.authenticationFailed) { try keyring.open(sealed, context: TestKeys.rowTwo) }
    }

    @Test func sealedValueOpensWithAESGCM() throws {
        let sealed = try keyring.seal("sk-proj-fixture-ünï-🔑", context: TestKeys.rowOne)
        let payload = try #require(Base64URL.decode(sealed.utf8.dropFirst("ak1.k2026.".utf8.count)))
        let box = try AES.GCM.SealedBox(combined: payload)
        let key = SymmetricKey(data: try #require(Hex.decode(TestKeys.hexA.utf8)))
        let associatedData = try #require(Hex.decode(Self.rowOneAssociatedDataHex.utf8))
        let opened = try AES.GCM.open(box, using: key, authenticating: associatedData)
        #expect(String(decoding: opened, as: UTF8.self) == "sk-proj-fixture-ünï-🔑")
    }

    @Test func rejectsPlaintextThatIsNotUTF8() {
        // Authentic, but the sealed bytes are "sk-" followed by 0xFF 0xFE.
        let sealed = "ak1.k2026.AAECAwQFBgcICQoLWo5a9MhsfKFKnth0jsdzi_ugpUvK"
        #expect(throws: SecretError.malformedValue(reason: "plaintext is not UTF-8")) {
            try keyring.open(sealed, context: TestKeys.rowOne)
        }
    }

    @Test func asciiCheckSeesEveryByte() {
        for length in 0..<20 {
            let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(ascii.withUnsafeBytes { UTF8Text.isASCII($0) })
            for position in 0..<length {
                var bytes = ascii
                bytes[position] = 0xC3
                #expect(!bytes.withUnsafeBytes { UTF8Text.isASCII($0) }, "length \(length) position \(position)")
            }
        }
    }

    @Test func unknownKeyIsReportedOnlyForWellFormedPayloads() throws {
        let other = try TestKeys.keyring([(id: "k2027", hex: TestKeys.hexA)])
        #expect(throws: SecretError.malformedValue(reason: "payload too short")) {
            try other.open("ak1.k2026.AAAA", context: TestKeys.rowOne)
        }
        #expect(throws: SecretError.unknownKeyID("k2026")) {
            try other.open("ak1.k2026.AAECAwQFBgcICQoLWo5a9MhsfKFKnth0jsdzi_ugpUvK", context: TestKeys.rowOne)
        }
    }

    @Test func keyIDsUpTo32Characters() throws {
        let longest = String(repeating: "k", count: 32)
        let long = try TestKeys.keyring([(id: longest, hex: TestKeys.hexA)])
        let sealed = try long.seal(TestKeys.apiKey, context: TestKeys.rowOne)
        #expect(long.keyID(of: sealed) == longest)
        #expect(try long.open(sealed, context: TestKeys.rowOne).exposedValue == TestKeys.apiKey)
        #expect(keyring.keyID(of: "ak1." + longest + "k.AAAA") == nil)
    }
}
