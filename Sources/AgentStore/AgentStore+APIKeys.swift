import AgentSecrets

extension AgentStore {
    /// Opens a connection's API key for the one call that needs it.
    ///
    /// The opening is audited with its purpose and committed first, in a transaction of its own, and `body`
    /// runs after it, outside any transaction: a call that fails keeps its audit entry (inside the
    /// tenant's transaction the entry would roll back with the failure), and no database connection waits
    /// on the provider. The plaintext exists only inside `body`, as a `Secret` that prints as `<redacted>`;
    /// a key sealed under a key id no longer in the keyring fails for this connection alone.
    public func withAPIKey<Result: Sendable>(
        of tenant: UserID, connectionID: ConnectionID, purpose: KeyPurpose = .verification, requestID: String? = nil,
        _ body: (Secret) async throws -> Result
    ) async throws -> Result {
        let key = try await withTenant(tenant, requestID: requestID) {
            try await $0.openAPIKey(connectionID, purpose: purpose, messageID: nil)
        }
        return try await body(try key.get())
    }
}
