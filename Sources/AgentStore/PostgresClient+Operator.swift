import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in one transaction of an administrator's connection as the `agent_operator` role, whose
    /// policies reach across tenants only where an operator's task needs them to. A lock is waited for 10 s
    /// at most, a statement 5 minutes.
    func withOperatorTransaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.rowsIfOpen("BEGIN", logger: logger)
            do {
                try await connection.rowsIfOpen("SET LOCAL ROLE agent_operator", logger: logger)
                // An operator's command waits for no lock and no statement without end (a row held from psql, a
                // server that stops answering): past these it fails, saying which.
                try await connection.rowsIfOpen("SET LOCAL lock_timeout = '10s'", logger: logger)
                try await connection.rowsIfOpen("SET LOCAL statement_timeout = '5min'", logger: logger)
                let result = try await body(connection)
                try await connection.rowsIfOpen("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.rowsIfOpen("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
