/// What the platform shows about a stored API key instead of the key itself.
///
/// ``display`` looks like `sk-…a1b2`: the service-style prefix (so an operator
/// sees which kind of key it is) and the last four characters (so they can match
/// it against the provider's dashboard). At least eight characters always stay
/// hidden; short keys show at most their last two.
///
/// The fingerprint that lets an operator tell two keys apart is keyed, so it
/// comes from the keyring: ``Keyring/fingerprint(ofAPIKey:)``.
public struct APIKeyHint: Sendable, Hashable, CustomStringConvertible {
    /// Leading letters/digits up to and including the first `-` or `_`, e.g. `sk-`, `ghp_`; may be empty.
    public let prefix: String
    /// The last four characters, two for short keys, or empty for very short ones.
    public let suffix: String
    static let maximumPrefixLength = 8
    static let minimumHiddenLength = 8

    public init(apiKey: String) {
        let characters = Array(apiKey)
        if characters.count >= 12 {
            let prefix = Self.servicePrefix(characters)
            let keepsPrefix = characters.count - prefix.count - 4 >= Self.minimumHiddenLength
            self.prefix = keepsPrefix ? prefix : ""
            self.suffix = String(characters.suffix(4))
        } else {
            self.prefix = ""
            self.suffix = characters.count >= 8 ? String(characters.suffix(2)) : ""
        }
    }

    /// The opened key's hint, without exposing it further.
    public init(secret: Secret) {
        self = secret.withPlaintext { APIKeyHint(apiKey: $0) }
    }

    /// Prefix, ellipsis, suffix: `sk-…a1b2`.
    public var display: String { prefix + "…" + suffix }

    public var description: String { display }

    // MARK: Parts

    private static func servicePrefix(_ characters: [Character]) -> String {
        for (index, character) in characters.prefix(maximumPrefixLength).enumerated() {
            if character == "-" || character == "_" {
                return index == 0 ? "" : String(characters[...index])
            }
            guard character.isASCII, character.isLetter || character.isNumber else { return "" }
        }
        return ""
    }
}
