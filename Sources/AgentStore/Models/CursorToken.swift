import Foundation

/// How a listing's cursor travels in a query string: its keyset as JSON, as unpadded base64url. Opaque to
/// clients; nothing in it is secret, and a token edited by hand can only move within the tenant's own rows.
enum CursorToken {
    /// The longest token a cursor may be (the longest one the platform writes is far shorter).
    static let maximumLength = 2_048

    static func encode(_ keyset: some Encodable) -> String {
        // Encoding a struct of strings and integers cannot fail.
        let data = (try? JSONEncoder().encode(keyset)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The keyset a token spells; nil for anything longer than the bound or not such a token.
    static func decode<Keyset: Decodable>(_ token: String, as type: Keyset.Type) -> Keyset? {
        guard token.utf8.count <= maximumLength else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}
