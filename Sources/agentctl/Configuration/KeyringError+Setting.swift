import AgentSecrets

extension KeyringError {
    /// The setting a keyring error is about.
    var setting: Setting {
        switch self {
        case .invalidKeyLength(let source, _, _), .invalidKeyHex(let source, _), .placeholderKey(let source, _),
            .invalidKeyID(let source, _),
            .malformedEntry(let source, _), .emptyKeyList(let source):
            Setting.all.first { $0.variable == source } ?? .encryptionKeys
        case .duplicateKeyID: .encryptionKeys
        case .unknownActiveKeyID: .encryptionActiveKeyID
        case .insecureFilePermissions, .fileAccess: .encryptionKey
        }
    }
}
