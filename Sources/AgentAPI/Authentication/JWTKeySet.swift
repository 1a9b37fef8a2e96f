import Foundation
import JWTKit

/// The keys of a JSON Web Key Set, each pinned to the algorithm its own `alg` names.
///
/// A JWK without `alg` would let the first token's header choose how the key is used (JWTKit then builds
/// the key for that algorithm and keeps it), so every key must name an allowlisted algorithm and a key
/// id; a token is verified only by the key its `kid` names, never by a default.
struct JWTKeySet: Sendable {
    /// Why a document is not a usable key set; `description` names the key id, never key material.
    struct Problem: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    /// Asymmetric algorithms a JWK may name. HS256 is only for `JWT_HS256_SECRET`, never a JWK: a
    /// symmetric key in a set of public keys is a mistake, and `none` or a PS*/HS* mix is not accepted.
    static let allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"]

    /// Every key, under its key id.
    let keys: JWTKeyCollection
    /// The algorithm of each key id: a token's header must name the same.
    let algorithms: [String: String]

    /// Reads and checks `json`; throws a ``Problem`` naming the first key that cannot be used.
    init(json: String) async throws(Problem) {
        /// Only what is checked before JWTKit reads the keys: it would accept a key without `alg`.
        struct Listing: Decodable {
            struct Entry: Decodable {
                let kid: String?
                let alg: String?
            }
            let keys: [Entry]
        }
        let data = Data(json.utf8)
        guard let listing = try? JSONDecoder().decode(Listing.self, from: data) else {
            throw Problem(description: "is not a JSON Web Key Set")
        }
        guard !listing.keys.isEmpty else { throw Problem(description: "has no keys") }
        var algorithms: [String: String] = [:]
        for entry in listing.keys {
            guard let kid = entry.kid, !kid.isEmpty else { throw Problem(description: "has a key without a kid") }
            let name = Self.printable(kid)
            guard let alg = entry.alg else { throw Problem(description: "has key \(name) without an alg") }
            guard Self.allowedAlgorithms.contains(alg) else {
                throw Problem(description: "has key \(name) with alg \(Self.printable(alg)), which is not allowed")
            }
            guard algorithms.updateValue(alg, forKey: kid) == nil else {
                throw Problem(description: "has two keys with kid \(name)")
            }
        }
        let keys = JWTKeyCollection()
        guard let set = try? JSONDecoder().decode(JWKS.self, from: data) else {
            throw Problem(description: "is not a JSON Web Key Set")
        }
        for jwk in set.keys {
            let name = Self.printable(jwk.keyIdentifier?.string ?? "")
            do {
                try await keys.add(jwk: jwk)
                // Builds the key for its own alg now: a key that does not fit its alg (an EC key named RS256,
                // missing parameters) is a configuration error, not a 401 at the first token.
                _ = try await keys.getKey(for: jwk.keyIdentifier, alg: nil)
            } catch {
                throw Problem(description: "has key \(name), which cannot be used with its alg")
            }
        }
        self.keys = keys
        self.algorithms = algorithms
    }

    /// A key id or algorithm as errors show it: quoted, and cut when long or odd, since it comes from a file.
    private static func printable(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" }
        guard safe, text.count <= 64 else { return "(an unprintable or long key id)" }
        return "\"\(text)\""
    }
}
