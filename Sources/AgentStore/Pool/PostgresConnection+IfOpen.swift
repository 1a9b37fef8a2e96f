import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// The error of a statement not sent because its connection had closed.
    static let closedError = StoreError.unavailable(reason: "the database connection closed")

    /// Sends `query` unless the connection has closed; call on the connection's event loop.
    ///
    /// PostgresNIO 1.33 writes a query into the channel without a write promise: written after the channel
    /// has closed and dropped its handlers, the query's own promise is never completed and its caller
    /// waits forever (seen when the database kills connections under load). On the event loop, which is
    /// where the channel closes, checking and writing cannot interleave with the close.
    func sendIfOpen(_ query: PostgresQuery, logger: Logger) -> EventLoopFuture<PostgresQueryResult> {
        eventLoop.preconditionInEventLoop()
        guard !isClosed else { return eventLoop.makeFailedFuture(Self.closedError) }
        return self.query(query, logger: logger)
    }

    /// Sends `query` from the connection's event loop unless the connection has closed, and waits for
    /// all its rows.
    func sendingIfOpen(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await eventLoop.flatSubmit { self.sendIfOpen(query, logger: logger) }.get()
    }
}
