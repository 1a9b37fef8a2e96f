import Foundation
import JWTKit

/// The claims the platform reads from a JSON Web Token. `sub` (with `iss`) names the user and `exp` is
/// required; the times are checked by ``JWTAuthenticator`` with its leeway, not by JWTKit.
struct PlatformClaims: JWTPayload {
    let sub: SubjectClaim
    let exp: ExpirationClaim
    let nbf: NotBeforeClaim?
    let iat: IssuedAtClaim?
    let iss: IssuerClaim?
    let aud: AudienceClaim?
    /// Required only to provision a user on first sight, and then only when the provider verified it.
    let email: String?
    let emailVerified: Bool?
    let name: String?

    enum CodingKeys: String, CodingKey {
        case sub, exp, nbf, iat, iss, aud, email, name
        case emailVerified = "email_verified"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sub = try container.decode(SubjectClaim.self, forKey: .sub)
        exp = try container.decode(ExpirationClaim.self, forKey: .exp)
        nbf = try container.decodeIfPresent(NotBeforeClaim.self, forKey: .nbf)
        iat = try container.decodeIfPresent(IssuedAtClaim.self, forKey: .iat)
        iss = try container.decodeIfPresent(IssuerClaim.self, forKey: .iss)
        aud = try container.decodeIfPresent(AudienceClaim.self, forKey: .aud)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        // Some providers send the flag as the string "true"; anything else is not a verified address.
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .emailVerified) {
            emailVerified = flag
        } else {
            emailVerified = (try? container.decodeIfPresent(String.self, forKey: .emailVerified)) == "true"
        }
    }

    /// JWTKit checks only the signature; the times are ``isCurrent(at:leeway:maximumLifetime:)``.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Whether the token is valid at `now`: not expired, already valid and issued, allowing `leeway` of
    /// clock difference with the issuer, and living at most `maximumLifetime` from its issue (or from now,
    /// when it has no `iat`), so that a stolen long-lived token is not accepted.
    func isCurrent(at now: Date, leeway: TimeInterval, maximumLifetime: TimeInterval) -> Bool {
        guard exp.value.timeIntervalSince(now) > -leeway else { return false }
        if let nbf, nbf.value.timeIntervalSince(now) > leeway { return false }
        if let iat, iat.value.timeIntervalSince(now) > leeway { return false }
        return exp.value.timeIntervalSince(iat?.value ?? now) <= maximumLifetime
    }
}
