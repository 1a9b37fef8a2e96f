/// Why a stored API key could not be sealed or opened.
///
/// Descriptions name key ids (they are not secret) but never plaintext,
/// key material or the stored value itself, so they are safe to log.
public enum SecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stored value is in neither the `ak1` format nor the seed's `iv:tag:ciphertext` format.
    case malformedValue(reason: String)
    /// The value was sealed with a key id the keyring does not hold.
    case unknownKeyID(String)
    /// Wrong key, tampered value, or a value moved to another row or tenant.
    case authenticationFailed
    /// The cipher refused to seal; not expected with a validated 256-bit key.
    case sealingFailed

    public var description: String {
        switch self {
        case .malformedValue(let reason):
            "malformed sealed secret: \(reason)"
        case .unknownKeyID(let keyID):
            "sealed secret uses key id '\(keyID)', which is not in the keyring"
        case .authenticationFailed:
            "sealed secret failed authentication (wrong key, tampered, or moved to another row or tenant)"
        case .sealingFailed:
            "sealing the secret failed"
        }
    }
}
