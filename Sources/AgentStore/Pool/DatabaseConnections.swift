import PostgresNIO

/// Where the store takes a connection for one transaction: the server's `PersistentConnectionPool`, or a
/// `PostgresClient` for commands, tests and benchmarks.
public protocol DatabaseConnections: Sendable {
    /// Runs `body` with a connection of its own, which goes back afterwards.
    func withLeasedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result

    /// ``withLeasedConnection(_:)``, waiting for a connection at most `wait`: a readiness probe must answer
    /// within its orchestrator's timeout (often a second) even when every connection is busy.
    func withLeasedConnection<Result: Sendable>(
        waitingAtMost wait: Duration, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result

    /// Runs `body` on a connection that no request shares, for as long as `body` runs: a listener
    /// (`LISTEN`), which holds its connection for its whole life and must not take one from requests.
    func withDedicatedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result
}

extension DatabaseConnections {
    /// Without a wait of its own (a `PostgresClient`, for commands and tests), the connections' usual one.
    public func withLeasedConnection<Result: Sendable>(
        waitingAtMost wait: Duration, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withLeasedConnection(body)
    }
}

extension PostgresClient: DatabaseConnections {
    public func withLeasedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection(body)
    }

    /// One of the client's connections: commands, tests and benchmarks size their pools for it.
    public func withDedicatedConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection(body)
    }
}
