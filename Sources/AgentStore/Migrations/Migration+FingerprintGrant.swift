extension Migration {
    /// Lets `agentctl keys rotate` recompute keyed fingerprints. Rotation runs as `agent_operator`, which
    /// could read and update only `api_key`; a re-sealed row now gets its fingerprint recomputed under the
    /// new key in the same update, and rows with an unkeyed fingerprint are found by reading it. Only
    /// that column is added: the operator still sees no name, hint, metadata or any other table.
    ///
    /// Frozen as literal SQL.
    static let fingerprintGrant = Migration(
        version: 9,
        name: "operator recomputes key fingerprints",
        up: [
            "GRANT SELECT (api_key_fingerprint), UPDATE (api_key_fingerprint) ON api_connections TO agent_operator"
        ],
        down: [
            "REVOKE SELECT (api_key_fingerprint), UPDATE (api_key_fingerprint) ON api_connections FROM agent_operator"
        ]
    )
}
