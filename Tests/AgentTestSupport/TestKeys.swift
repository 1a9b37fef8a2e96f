import AgentSecrets

/// Fixed 256-bit test keys (64 hex characters) and keyrings for the suites above the secrets layer; none
/// is a real key. `AgentSecretsTests` keeps its own `TestKeys`: depending on this target would link the
/// store and PostgresNIO into the crypto tests.
public enum TestKeys {
    /// The key data was sealed under before a rotation.
    public static let old = String(repeating: "1a", count: 32)
    /// The key a rotation moves to.
    public static let new = String(repeating: "2b", count: 32)
    /// A key the keyring under test no longer holds.
    public static let lost = String(repeating: "3c", count: 32)
    /// The key of ``TestDatabase/testKeyring``.
    public static let store = String(repeating: "4b", count: 32)

    /// A keyring of `entries`, sealing with `active` (default: the first).
    public static func keyring(_ entries: [(id: String, hex: String)], active: String? = nil) throws -> Keyring {
        try Keyring(keys: entries, activeKeyID: active)
    }

    /// A keyring of one key.
    public static func keyring(_ id: String, _ hex: String) throws -> Keyring {
        try Keyring(keys: [(id: id, hex: hex)])
    }
}
