import JWTKit

/// The claims the platform reads from a JSON Web Token: `sub` is the user id, `exp` is required.
struct PlatformClaims: JWTPayload {
    let sub: SubjectClaim
    let exp: ExpirationClaim
    let nbf: NotBeforeClaim?
    let iss: IssuerClaim?
    let aud: AudienceClaim?
    /// Required only to provision a user on first sight.
    let email: String?
    let name: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
    }
}
