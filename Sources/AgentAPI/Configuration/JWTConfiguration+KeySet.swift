extension JWTConfiguration {
    /// What makes `text` unusable as the JSON Web Key Set tokens are verified with, or nil when it is usable:
    /// every key needs a `kid` and an allowlisted `alg` it fits (see ``isUsableKeySet(_:)``).
    ///
    /// The platform's configuration calls this at start-up, so that a bad `JWT_JWKS_FILE` is reported
    /// with every other invalid setting instead of when the router is built. The reason names key ids,
    /// never key material.
    public static func keySetProblem(_ text: String) async -> String? {
        do {
            _ = try await JWTKeySet(json: text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Whether `text` is a JSON Web Key Set the API can verify tokens with.
    public static func isUsableKeySet(_ text: String) async -> Bool {
        await keySetProblem(text) == nil
    }
}
