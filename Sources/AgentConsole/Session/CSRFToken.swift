import Crypto
import Foundation

/// The token every state-changing form and fetch of the console carries: a keyed hash of the session's
/// secret value, so it needs no storage and cannot be made without the cookie (which scripts cannot read
/// and other sites cannot send).
///
/// Each page carries it masked with a fresh random pad (`pad ‖ pad ⊕ token`), so no two responses hold
/// the same bytes: a page compressed on its way (by a proxy) cannot be probed for the token by its
/// compressed length (BREACH). Any masking of the session's token is accepted.
enum CSRFToken {
    private static let length = 32

    /// The session's token, masked afresh: what a page carries.
    static func masked(forSession sessionValue: String) -> String {
        let pad = randomBytes()
        return base64URL(pad + zip(pad, token(forSession: sessionValue)).map { $0 ^ $1 })
    }

    /// Whether `presented` is a masking of the session's token; compared in time independent of where the
    /// values differ.
    static func matches(_ presented: String?, forSession sessionValue: String) -> Bool {
        guard let presented, let bytes = bytes(ofBase64URL: presented), bytes.count == 2 * length else { return false }
        let unmasked = zip(bytes.prefix(length), bytes.suffix(length)).map { $0 ^ $1 }
        return zip(unmasked, token(forSession: sessionValue)).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The session's token itself, never sent as it is.
    private static func token(forSession sessionValue: String) -> [UInt8] {
        let key = SymmetricKey(data: SHA256.hash(data: Data(sessionValue.utf8)))
        return Array(HMAC<SHA256>.authenticationCode(for: Data("agent-platform console csrf".utf8), using: key))
    }

    /// Compares in time independent of where the values differ.
    static func matches(_ presented: String?, _ expected: String) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A fresh random value (the sign-in form's double-submit value).
    static func random() -> String {
        base64URL(randomBytes())
    }

    private static func randomBytes() -> [UInt8] {
        (0..<length).map { _ in UInt8.random(in: .min ... .max) }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func bytes(ofBase64URL text: String) -> [UInt8]? {
        guard text.utf8.count <= 128 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
