import NIOConcurrencyHelpers
import PostgresNIO

/// The statements waiting for an answer, by connection, and when each was sent.
///
/// - A connection's close ends all of its prepared statements' waits with `PostgresConnection.closedError`,
///   so a statement that the closing channel dropped does not hold its caller forever.
/// - The oldest send tells the pool how long a connection's server has been silent
///   (`PersistentConnectionPool.Settings.statementDeadline`).
///
/// One close callback per connection, registered with its first wait, and a lock per wait: cheaper than a
/// timer per statement, which would wake an event loop twice for every page read.
final class StatementWaits: Sendable {
    static let shared = StatementWaits()

    typealias Continuation = CheckedContinuation<[PostgresRow], any Error>

    /// A registered wait: its connection and its number there.
    struct Wait: Sendable {
        let connection: ObjectIdentifier
        let number: Int
    }

    /// A statement in flight: when it was sent, and the caller to resume if its connection closes (none
    /// for a statement whose own future fails on close).
    private struct Statement {
        let sent: ContinuousClock.Instant
        let continuation: Continuation?
    }

    private struct Waiting {
        var next = 0
        var statements: [Int: Statement] = [:]
    }

    private let connections = NIOLockedValueBox<[ObjectIdentifier: Waiting]>([:])

    /// Registers `continuation` on `connection`; nil when the connection has closed already, in which case
    /// the continuation has been resumed with the close's error.
    func register(_ continuation: Continuation, on connection: PostgresConnection) -> Wait? {
        let wait = add(Statement(sent: .now, continuation: continuation), on: connection)
        // Checked after registering: a close from here on finds the wait, one before is seen here.
        guard !connection.isClosed else {
            // Unless the close callback got there first.
            take(wait)?.continuation?.resume(throwing: PostgresConnection.closedError)
            return nil
        }
        return wait
    }

    /// Records a statement whose own future ends its wait, for its send time alone; `end(_:)` it when the
    /// future completes.
    func sent(on connection: PostgresConnection) -> Wait {
        add(Statement(sent: .now, continuation: nil), on: connection)
    }

    /// Waits registered on `connection` and not ended yet.
    func pending(on connection: PostgresConnection) -> Int {
        connections.withLockedValue { $0[ObjectIdentifier(connection)]?.statements.count ?? 0 }
    }

    /// When the oldest statement still waiting on `connection` was sent; nil when none waits.
    func oldestSend(on connection: PostgresConnection) -> ContinuousClock.Instant? {
        connections.withLockedValue { $0[ObjectIdentifier(connection)]?.statements.values.map(\.sent).min() }
    }

    /// Ends `wait` with `result`, unless its connection's close ended it first.
    func end(_ wait: Wait, with result: Result<[PostgresRow], any Error>) {
        take(wait)?.continuation?.resume(with: result)
    }

    /// Ends a wait recorded by `sent(on:)`.
    func end(_ wait: Wait) {
        _ = take(wait)
    }

    private func add(_ statement: Statement, on connection: PostgresConnection) -> Wait {
        let key = ObjectIdentifier(connection)
        let (number, first) = connections.withLockedValue { connections in
            let first = connections[key] == nil
            var waiting = connections[key] ?? Waiting()
            let number = waiting.next
            waiting.next += 1
            waiting.statements[number] = statement
            connections[key] = waiting
            return (number, first)
        }
        if first {
            connection.closeFuture.whenComplete { _ in self.closed(key) }
        }
        return Wait(connection: key, number: number)
    }

    private func take(_ wait: Wait) -> Statement? {
        connections.withLockedValue { $0[wait.connection]?.statements.removeValue(forKey: wait.number) }
    }

    private func closed(_ key: ObjectIdentifier) {
        guard let waiting = connections.withLockedValue({ $0.removeValue(forKey: key) }) else { return }
        for statement in waiting.statements.values {
            statement.continuation?.resume(throwing: PostgresConnection.closedError)
        }
    }
}
