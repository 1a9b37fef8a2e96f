import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

extension DatabaseURL {
    /// Opens one connection and closes it, so that a command against a database it cannot reach fails
    /// within `limit` saying why, rather than after the pool's minute of silent retries with an error that
    /// names none.
    public func probe(within limit: Duration = .seconds(10), logger: Logger) async throws {
        let configuration = try connectionConfiguration()
        let loop = PostgresConnection.defaultEventLoopGroup.next()
        let answer = loop.makePromise(of: PostgresConnection.self)
        // Whichever comes first, the connection or the limit, settles the answer; the other is dropped
        // (a connection that comes too late is closed).
        let settled = NIOLockedValueBox(false)
        let settlesFirst: @Sendable () -> Bool = {
            settled.withLockedValue { done in
                defer { done = true }
                return !done
            }
        }
        let timer = loop.scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
            guard settlesFirst() else { return }
            answer.fail(DatabaseUnreachable(url: self, reason: "no answer within \(limit)"))
        }
        PostgresConnection.connect(on: loop, configuration: configuration, id: 0, logger: logger).whenComplete { result in
            timer.cancel()
            let first = settlesFirst()
            switch result {
            case .success(let connection) where first: answer.succeed(connection)
            case .success(let connection): connection.close().whenComplete { _ in }
            case .failure(let error) where first: answer.fail(DatabaseUnreachable(url: self, reason: Self.reason(error)))
            case .failure: break
            }
        }
        let connection = try await answer.futureResult.get()
        try? await connection.close()
    }

    /// Why a connection failed, in the server's words when it answered: never the password, which no
    /// PostgreSQL error holds. (A `PSQLError`'s own description is generic on purpose, and the same for a
    /// refused password, a full server and a lost connection.)
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "unknown"))"
        }
        return error.underlying.map { "\($0)" } ?? "\(error.code)"
    }
}

/// A database a command could not connect to; the URL is shown without its password.
public struct DatabaseUnreachable: Error, Sendable, CustomStringConvertible {
    let url: DatabaseURL
    let reason: String

    public var description: String { "cannot connect to the database at \(url): \(reason)" }
}
