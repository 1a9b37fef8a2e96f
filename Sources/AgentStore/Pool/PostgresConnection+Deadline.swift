import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Closes this connection after `limit` unless the returned task is cancelled first: what fails a wait
    /// for a server that went silent, which its own statement timeout cannot do.
    func closing(after limit: Duration) -> Scheduled<Void> {
        eventLoop.scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
            self.close().whenComplete { _ in }
        }
    }

    /// Runs `body`, closing this connection if it has not returned within `limit`, or as soon as the task is
    /// cancelled (a shutdown): either fails the statement under way. It runs on its caller's isolation, so
    /// that a caller may hand it a closure that is not `Sendable`.
    nonisolated(nonsending) func closing<Result>(
        unlessDoneWithin limit: Duration, _ body: () async throws -> Result
    ) async throws -> Result {
        let deadline = closing(after: limit)
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            self.close().whenComplete { _ in }
        }
    }
}
