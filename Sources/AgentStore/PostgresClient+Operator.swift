import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in one transaction of an administrator's connection as the `agent_operator` role, whose
    /// policies reach across tenants only where an operator's task needs them to. A lock is waited for 10 s
    /// at most, a statement 5 minutes.
    func withOperatorTransaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { try await $0.withOperatorTransaction(logger: logger, body) }
    }
}

extension PostgresConnection {
    /// ``PostgresClient/withOperatorTransaction(logger:_:)`` on this connection, an administrator's. It runs
    /// on its caller's isolation, so that a caller may hand it a closure that is not `Sendable`.
    nonisolated(nonsending) func withOperatorTransaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await rowsIfOpen("BEGIN", logger: logger)
        do {
            try await rowsIfOpen("SET LOCAL ROLE agent_operator", logger: logger)
            // An operator's command waits for no lock and no statement without end (a row held from psql, a
            // server that stops answering): past these it fails, saying which.
            try await rowsIfOpen("SET LOCAL lock_timeout = '10s'", logger: logger)
            try await rowsIfOpen("SET LOCAL statement_timeout = '5min'", logger: logger)
            let result = try await body(self)
            try await commitIfOpen(logger: logger)
            return result
        } catch {
            await rollbackOrClose(logger: logger)
            throw error
        }
    }
}
