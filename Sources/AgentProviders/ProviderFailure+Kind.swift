// MARK: Sanitizing what a provider names

extension ProviderFailure {
    /// The kind used when a provider's error names none that can be kept.
    public static let unknownKind = "unknown"

    /// A provider's error type or code if it looks like an identifier (ASCII letters, digits, `_`, `-`,
    /// `.`, at most 64 characters), ``unknownKind`` otherwise: anything else might be prose or a secret.
    static func sanitizedKind(_ raw: String) -> String {
        let allowed = raw.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
        return allowed && !raw.isEmpty && raw.utf8.count <= 64 ? raw : unknownKind
    }

    /// A provider error from the first usable of several candidate kinds (say, `type` then `code`).
    static func reported(kinds: String?...) -> ProviderFailure {
        let kind = kinds.lazy.compactMap { $0 }.map(sanitizedKind).first { $0 != unknownKind }
        return .provider(kind: kind ?? unknownKind)
    }
}
