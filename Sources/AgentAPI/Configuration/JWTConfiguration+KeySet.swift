import JWTKit

extension JWTConfiguration {
    /// Whether `text` is a JSON Web Key Set the API can verify tokens with.
    ///
    /// The platform's configuration calls this at start-up, so that a bad `JWT_JWKS_FILE` is reported
    /// with every other invalid setting instead of when the router is built.
    public static func isUsableKeySet(_ text: String) async -> Bool {
        do {
            try await JWTKeyCollection().add(jwksJSON: text)
            return true
        } catch {
            return false
        }
    }
}
