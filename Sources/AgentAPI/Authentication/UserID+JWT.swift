import AgentStore
import Crypto

extension UserID {
    /// The platform user a JSON Web Token's issuer and subject speak for: `jwt-` and the first 32 hex
    /// digits of SHA-256(`iss`, a newline, `sub`).
    ///
    /// Two identity providers may hand out the same `sub`, and a `sub` may look like a platform id; hashing
    /// the pair keeps each (issuer, subject) its own user, distinct from every id the platform generates
    /// (UUIDs). The newline cannot occur inside an issuer URL, so no two pairs hash the same input. To give
    /// an identity provider's user a platform account before their first sign-in, create the user with
    /// this id (`agentctl users create --id`).
    public static func jwt(issuer: String, subject: String) -> UserID {
        let digest = SHA256.hash(data: Array("\(issuer)\n\(subject)".utf8))
        let digits = Array("0123456789abcdef")
        let hex = digest.prefix(16).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
        // 36 ASCII characters without spaces: always a valid id.
        return UserID(rawValue: "jwt-" + String(hex))!
    }
}
