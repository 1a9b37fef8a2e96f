import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` with a pool that runs for exactly as long as `body`: for commands and tests that are
    /// not long-lived services.
    public static func withRunning<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, logger: Logger,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        // Leasing before `run()` has started logs a harmless warning; short-lived pools skip it.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
