import Crypto
import Foundation
import Testing

@testable import AgentSecrets

/// ``AESGCMKey`` calls BoringSSL directly; these check it against published
/// vectors and against swift-crypto's `AES.GCM`, both directions.
@Suite struct AESGCMKeyTests {
    let symmetricKey = SymmetricKey(data: Hex.decode(TestKeys.hexA.utf8)!)
    let key: AESGCMKey

    init() {
        key = AESGCMKey(symmetricKey)
    }

    #if os(Linux)
        /// swift-crypto builds BoringSSL here; the fallback would work, at a third of the speed.
        @Test func usesBoringSSLDirectly() {
            #expect(AESGCMKey.backend == "BoringSSL")
        }
    #endif

    // MARK: Known answers

    /// Test cases 13 and 14 of McGrew and Viega's GCM specification: zero key, zero 96-bit IV.
    @Test(arguments: [
        (plaintext: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        (
            plaintext: "00000000000000000000000000000000", ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
            tag: "d0d1c8a799996bf0265b98b5d48ab919"
        ),
    ])
    func publishedVectors(plaintext: String, ciphertext: String, tag: String) throws {
        let zeroKey = AESGCMKey(SymmetricKey(data: [UInt8](repeating: 0, count: 32)))
        let sealed = try seal(
            Hex.decode(plaintext.utf8)!, nonce: [UInt8](repeating: 0, count: 12), associatedData: [], with: zeroKey)
        #expect(Hex.encode(sealed.ciphertext) == ciphertext)
        #expect(Hex.encode(sealed.tag) == tag)
    }

    // MARK: Agreement with AES.GCM

    @Test(arguments: [0, 1, 15, 16, 17, 56, 1_000], [12, 16])
    func opensWhatAESGCMSeals(length: Int, nonceLength: Int) throws {
        let plaintext = Self.bytes(length, seed: 3)
        let nonce = Self.bytes(nonceLength, seed: 7)
        let associatedData = Self.bytes(length % 40, seed: 11)
        let box = try AES.GCM.seal(
            plaintext, using: symmetricKey, nonce: AES.GCM.Nonce(data: nonce), authenticating: associatedData
        )
        let opened = try open(Array(box.ciphertext), nonce: nonce, tag: Array(box.tag), associatedData: associatedData, with: key)
        #expect(opened == plaintext)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 56, 1_000], [12, 16])
    func sealsWhatAESGCMOpens(length: Int, nonceLength: Int) throws {
        let plaintext = Self.bytes(length, seed: 5)
        let nonce = Self.bytes(nonceLength, seed: 9)
        let associatedData = Self.bytes(length % 40, seed: 13)
        let sealed = try seal(plaintext, nonce: nonce, associatedData: associatedData, with: key)
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: sealed.ciphertext, tag: sealed.tag)
        let opened = try AES.GCM.open(box, using: symmetricKey, authenticating: associatedData)
        #expect(Array(opened) == plaintext)
    }

    // MARK: Failures

    @Test func alteredTagFailsAndLeavesNoPlaintext() throws {
        let plaintext = Array(TestKeys.apiKey.utf8)
        let nonce = Self.bytes(12, seed: 1)
        var sealed = try seal(plaintext, nonce: nonce, associatedData: [1, 2, 3], with: key)
        sealed.tag[0] ^= 1
        var output = [UInt8](repeating: 0xAA, count: plaintext.count)
        #expect(throws: SecretError.authenticationFailed) {
            try open(
                sealed.ciphertext, nonce: nonce, tag: sealed.tag, associatedData: [1, 2, 3], with: key, into: &output
            )
        }
        #expect(output.allSatisfy { $0 == 0 })
    }

    @Test func otherAssociatedDataFails() throws {
        let nonce = Self.bytes(12, seed: 2)
        let sealed = try seal(Array(TestKeys.apiKey.utf8), nonce: nonce, associatedData: [1], with: key)
        #expect(throws: SecretError.authenticationFailed) {
            try open(sealed.ciphertext, nonce: nonce, tag: sealed.tag, associatedData: [2], with: key)
        }
    }

    // MARK: Sharing

    @Test func oneKeyServesConcurrentCallers() async throws {
        let key = key
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for round in 0..<500 {
                        let plaintext = Self.bytes(56, seed: UInt8(truncatingIfNeeded: task &* 31 &+ round))
                        let nonce = Self.bytes(12, seed: UInt8(truncatingIfNeeded: round))
                        guard let sealed = try? seal(plaintext, nonce: nonce, associatedData: [], with: key),
                            let opened = try? open(
                                sealed.ciphertext, nonce: nonce, tag: sealed.tag, associatedData: [], with: key),
                            opened == plaintext
                        else {
                            failures += 1
                            continue
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }

    // MARK: Helpers

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ Int(seed)) }
    }
}

// MARK: Array wrappers

private func seal(
    _ plaintext: [UInt8], nonce: [UInt8], associatedData: [UInt8], with key: AESGCMKey
) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
    var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
    var tag = [UInt8](repeating: 0, count: AESGCMKey.tagByteCount)
    try ciphertext.withUnsafeMutableBytes { ciphertext in
        try tag.withUnsafeMutableBytes { tag in
            try plaintext.withUnsafeBytes { plaintext in
                try nonce.withUnsafeBytes { nonce in
                    try associatedData.withUnsafeBytes { associatedData in
                        try key.seal(plaintext, nonce: nonce, associatedData: associatedData, ciphertext: ciphertext, tag: tag)
                    }
                }
            }
        }
    }
    return (ciphertext, tag)
}

private func open(
    _ ciphertext: [UInt8], nonce: [UInt8], tag: [UInt8], associatedData: [UInt8], with key: AESGCMKey
) throws -> [UInt8] {
    var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
    try open(ciphertext, nonce: nonce, tag: tag, associatedData: associatedData, with: key, into: &plaintext)
    return plaintext
}

private func open(
    _ ciphertext: [UInt8], nonce: [UInt8], tag: [UInt8], associatedData: [UInt8], with key: AESGCMKey,
    into plaintext: inout [UInt8]
) throws {
    try plaintext.withUnsafeMutableBytes { plaintext in
        try ciphertext.withUnsafeBytes { ciphertext in
            try tag.withUnsafeBytes { tag in
                try nonce.withUnsafeBytes { nonce in
                    try associatedData.withUnsafeBytes { associatedData in
                        try key.open(ciphertext, nonce: nonce, tag: tag, associatedData: associatedData, into: plaintext)
                    }
                }
            }
        }
    }
}
