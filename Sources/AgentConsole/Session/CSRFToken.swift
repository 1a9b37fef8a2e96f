import Crypto
import Foundation

/// The token every state-changing form and fetch of the console carries: a keyed hash of the session's
/// secret value, so it is fixed for the session, needs no storage, and cannot be made without the cookie
/// (which scripts cannot read and other sites cannot send).
enum CSRFToken {
    /// The token of the session whose cookie value is `sessionValue`.
    static func token(forSession sessionValue: String) -> String {
        let key = SymmetricKey(data: SHA256.hash(data: Data(sessionValue.utf8)))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("agent-platform console csrf".utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
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
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
