/// Why the keyring could not be built at start-up.
///
/// Every case names where the problem is (an environment variable, an entry
/// position, a file path) and what is wrong with it, but never the value:
/// a misconfigured key must not end up in a crash log. Key ids are only
/// echoed once they passed validation, because a malformed id may be a
/// mis-pasted key.
public enum KeyringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key is not 64 hex characters long; `length` is the length found.
    case invalidKeyLength(source: String, keyID: String?, length: Int)
    /// A key contains characters other than hex digits.
    case invalidKeyHex(source: String, keyID: String?)
    /// The sealing key is zero bytes alone: a placeholder left in a template, which anyone can guess. (Kept
    /// beside another to open what it sealed, it is taken, so that a rotation can move off it.)
    case placeholderKey(source: String, keyID: String?)
    /// A key id is not `[A-Za-z0-9_-]{1,32}`; `position` is 1-based in a list.
    case invalidKeyID(source: String, position: Int?)
    /// An `ENCRYPTION_KEYS` entry is not `id:hex`.
    case malformedEntry(source: String, position: Int)
    /// `ENCRYPTION_KEYS` is set but lists no key.
    case emptyKeyList(source: String)
    /// Two keys share one id.
    case duplicateKeyID(String)
    /// The active key id names no configured key.
    case unknownActiveKeyID(String)
    /// The local key file is readable by group or others.
    case insecureFilePermissions(path: String)
    /// The local key file could not be read or written.
    case fileAccess(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidKeyLength(let source, let keyID, let length):
            "\(Self.subject(source, keyID)) must be 64 hex characters (32 bytes), found \(length) characters"
        case .invalidKeyHex(let source, let keyID):
            "\(Self.subject(source, keyID)) must contain only hex digits"
        case .placeholderKey(let source, let keyID):
            "\(Self.subject(source, keyID)) is all zeros, a placeholder rather than a key (`agentctl keys generate` makes one)"
        case .invalidKeyID(let source, let position):
            if let position {
                "\(source): key id of entry \(position) must match [A-Za-z0-9_-]{1,32}"
            } else {
                "\(source): key id must match [A-Za-z0-9_-]{1,32}"
            }
        case .malformedEntry(let source, let position):
            "\(source): entry \(position) must be 'id:hex'"
        case .emptyKeyList(let source):
            "\(source) is set but lists no key"
        case .duplicateKeyID(let keyID):
            keyID == Keyring.seedKeyID
                ? "key id '\(keyID)' is configured more than once (ENCRYPTION_KEY uses id '\(Keyring.seedKeyID)')"
                : "key id '\(keyID)' is configured more than once"
        case .unknownActiveKeyID(let keyID):
            "ENCRYPTION_ACTIVE_KEY_ID names '\(keyID)', which is not a configured key id"
        case .insecureFilePermissions(let path):
            "key file \(path) is accessible by group or others; run chmod 600 on it"
        case .fileAccess(let path, let reason):
            "key file \(path): \(reason)"
        }
    }

    private static func subject(_ source: String, _ keyID: String?) -> String {
        keyID.map { "\(source): key '\($0)'" } ?? source
    }
}
