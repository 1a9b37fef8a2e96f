import EventLoopTasks
import Logging
import NIOConcurrencyHelpers
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
        // Recorded for its send time: a server that never answers is noticed by the pool.
        let wait = StatementWaits.shared.sent(on: self)
        let answer = self.query(query, logger: logger)
        answer.whenComplete { _ in StatementWaits.shared.end(wait) }
        return answer
    }

    /// Sends `query` from the connection's event loop unless the connection has closed, and waits for
    /// all its rows; `first`, if any, is sent ahead of it from the same turn of the loop (its rows unread).
    func sendingIfOpen(_ query: PostgresQuery, after first: PostgresQuery? = nil, logger: Logger) async throws
        -> PostgresQueryResult
    {
        try await eventLoop.flatSubmit {
            guard let first else { return self.sendIfOpen(query, logger: logger) }
            return self.sendIfOpen(first, logger: logger).and(self.sendIfOpen(query, logger: logger)).map { $1 }
        }.get()
    }

    /// Commits the open transaction. A transaction that a failed statement aborted answers COMMIT with
    /// ROLLBACK, not an error: a body that caught the statement's error and returned would report work
    /// that was undone, so that answer throws ``RolledBackAtCommit``.
    func commitIfOpen(logger: Logger) async throws {
        let answer = try await sendingIfOpen("COMMIT", logger: logger)
        guard answer.metadata.command == "COMMIT" else { throw RolledBackAtCommit() }
    }

    /// Ends the transaction under way, or closes the connection if that fails: back in its pool, it would
    /// still be inside the transaction (for a tenant, with its tenant set; for an operator, as
    /// `agent_operator`; for the migrator, holding its locks), and the next user's statements would run there.
    func rollbackOrClose(logger: Logger) async {
        do {
            _ = try await sendingIfOpen("ROLLBACK", logger: logger)
        } catch {
            logger.warning("rollback failed; closing the connection")
            try? await close()
        }
    }

    /// `query(_:logger:)` for the operator's and the start-up's statements (migrations, databases, key
    /// rotation): its rows collected, and a failure instead of a wait for ever once the connection has
    /// closed (see `sendIfOpen`).
    @discardableResult
    func rowsIfOpen(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await sendingIfOpen(query, logger: logger).rows
    }

    /// Runs a prepared statement and collects its rows, failing once the connection has closed instead of
    /// waiting for an answer that will never come.
    ///
    /// PostgresNIO writes a prepared statement from the calling task, not on the event loop, so the check
    /// and the write of `sendIfOpen` cannot be made one step for it: a statement written just as the channel
    /// closes is dropped, and its caller waited forever (seen once in `survivesConnectionsKilledUnderLoad`).
    /// The wait is therefore registered with the connection's close (`StatementWaits`), which ends it. A
    /// dropped statement's own task stays suspended; it holds nothing but itself.
    func executingIfOpen<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> [PostgresRow] where Statement.Row == PostgresRow {
        try await withCheckedThrowingContinuation { continuation in
            guard let wait = StatementWaits.shared.register(continuation, on: self) else { return }
            // A caller on an event loop (`serve`) reads the rows on the connection's loop, where they arrive,
            // switching in place (`EventLoopTaskExecutor`); any other stays where tasks run by default.
            let rowsLoop = EventLoopTaskExecutor.whenCallerIsOnALoop(self.eventLoop)
            Task(executorPreference: rowsLoop) {
                do {
                    var rows: [PostgresRow] = []
                    for try await row in try await self.execute(statement, logger: logger) { rows.append(row) }
                    StatementWaits.shared.end(wait, with: .success(rows))
                } catch {
                    StatementWaits.shared.end(wait, with: .failure(error))
                }
            }
        }
    }
}

extension PostgresClient {
    /// `query(_:logger:)` on one of the pool's connections, its rows collected, failing rather than
    /// waiting for ever once that connection has closed (see `PostgresConnection.sendIfOpen`).
    @discardableResult
    func rowsIfOpen(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await withConnection { try await $0.rowsIfOpen(query, logger: logger) }
    }
}

/// A transaction was rolled back at its commit: a statement in it had failed, and its error was caught.
struct RolledBackAtCommit: Error, CustomStringConvertible {
    var description: String { "the transaction was rolled back: a statement in it failed" }
}
