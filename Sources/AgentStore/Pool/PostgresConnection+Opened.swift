import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Runs `body` on a connection opened for it alone (bounded by the configuration's connect timeout),
    /// and closes the connection when `body` returns or throws. It runs on its caller's isolation, so that
    /// a caller may hand it a closure that is not `Sendable`.
    nonisolated(nonsending) static func withOpened<Result: Sendable>(
        _ configuration: Configuration, on eventLoop: any EventLoop, id: Int, logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(on: eventLoop, configuration: configuration, id: id, logger: logger).get()
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
