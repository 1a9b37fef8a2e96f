import Foundation

/// The fields of a JSON Web Token's header that decide which key may verify it, read before any key is
/// touched: the header is the attacker's, so it only selects among configured keys and must agree with them.
struct TokenHeader: Decodable, Sendable {
    let alg: String
    let kid: String?
    /// Extensions the token says must be understood; the platform understands none.
    let crit: [String]?

    /// The header of a compact token (`header.payload.signature`); nil when it is not one.
    init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Self.base64URLDecoded(parts[0]),
            let header = try? JSONDecoder().decode(TokenHeader.self, from: data)
        else { return nil }
        self = header
    }

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
