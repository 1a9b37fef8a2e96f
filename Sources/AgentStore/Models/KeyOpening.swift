import AgentSecrets

/// Which of an agent's linked connections a call's start opens the key of, and why. The sealed key is
/// read, and its opening audited, by the start's own statement, so the first provider call waits for no
/// round trip of its own.
public struct KeyOpening: Sendable {
    /// Recorded with the opening in the audit log.
    public let purpose: KeyPurpose
    /// Picks the connection to open among the agent's linked ones, in call order; nil opens none.
    public let choose: @Sendable ([LinkedConnection]) -> ConnectionID?

    public init(purpose: KeyPurpose, choose: @escaping @Sendable ([LinkedConnection]) -> ConnectionID?) {
        self.purpose = purpose
        self.choose = choose
    }
}

/// A connection's key, opened for one call.
public struct OpenedKey: Sendable {
    public let connectionID: ConnectionID
    public let secret: Secret

    public init(connectionID: ConnectionID, secret: Secret) {
        self.connectionID = connectionID
        self.secret = secret
    }
}
