/// Which JSON Web Tokens are accepted as bearer credentials.
public struct JWTConfiguration: Sendable, CustomStringConvertible {
    /// The shared secret of HS256 tokens.
    public var hs256Secret: String?
    /// A JSON Web Key Set document (its text, not its path) with the identity provider's public keys.
    public var jwks: String?
    /// The required `iss`, when set.
    public var issuer: String?
    /// An `aud` value that must be present, when set.
    public var audience: String?
    /// Whether a valid token for an unknown `sub` creates that user (its `email` claim is then required).
    public var autoProvision: Bool
    /// How fast the process creates users from tokens: an identity provider that mints tokens for new
    /// subjects (or a leaked signing key) cannot fill the database faster than this. Default: 30 at once,
    /// then one every 2 seconds.
    public var provisioningRate: RateLimits.Rate

    public init(
        hs256Secret: String? = nil, jwks: String? = nil, issuer: String? = nil, audience: String? = nil,
        autoProvision: Bool = false, provisioningRate: RateLimits.Rate = .init(perSecond: 0.5, burst: 30)
    ) {
        self.hs256Secret = hs256Secret
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.autoProvision = autoProvision
        self.provisioningRate = provisioningRate
    }

    public var description: String {
        let keys = [hs256Secret == nil ? nil : "HS256", jwks == nil ? nil : "JWKS"].compactMap { $0 }
        return
            "JWTConfiguration(keys: \(keys), issuer: \(issuer ?? "any"), audience: \(audience ?? "any"), autoProvision: \(autoProvision))"
    }
}
