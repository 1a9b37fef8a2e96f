import NIOConcurrencyHelpers
import PostgresNIO

/// The prepared statements waiting for an answer, by connection: a connection's close ends all of its
/// waits with `PostgresConnection.closedError`, so a statement that the closing channel dropped does not
/// hold its caller forever.
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

    private struct Waiting {
        var next = 0
        var continuations: [Int: Continuation] = [:]
    }

    private let connections = NIOLockedValueBox<[ObjectIdentifier: Waiting]>([:])

    /// Registers `continuation` on `connection`; nil when the connection has closed already, in which case
    /// the continuation has been resumed with the close's error.
    func register(_ continuation: Continuation, on connection: PostgresConnection) -> Wait? {
        let key = ObjectIdentifier(connection)
        let (number, first) = connections.withLockedValue { connections in
            let first = connections[key] == nil
            var waiting = connections[key] ?? Waiting()
            let number = waiting.next
            waiting.next += 1
            waiting.continuations[number] = continuation
            connections[key] = waiting
            return (number, first)
        }
        if first {
            connection.closeFuture.whenComplete { _ in self.closed(key) }
        }
        // Checked after registering: a close from here on finds the wait, one before is seen here.
        guard !connection.isClosed else {
            // Unless the close callback got there first.
            take(Wait(connection: key, number: number))?.resume(throwing: PostgresConnection.closedError)
            return nil
        }
        return Wait(connection: key, number: number)
    }

    /// Waits registered on `connection` and not ended yet.
    func pending(on connection: PostgresConnection) -> Int {
        connections.withLockedValue { $0[ObjectIdentifier(connection)]?.continuations.count ?? 0 }
    }

    /// Ends `wait` with `result`, unless its connection's close ended it first.
    func end(_ wait: Wait, with result: Result<[PostgresRow], any Error>) {
        take(wait)?.resume(with: result)
    }

    private func take(_ wait: Wait) -> Continuation? {
        connections.withLockedValue { $0[wait.connection]?.continuations.removeValue(forKey: wait.number) }
    }

    private func closed(_ key: ObjectIdentifier) {
        guard let waiting = connections.withLockedValue({ $0.removeValue(forKey: key) }) else { return }
        for continuation in waiting.continuations.values {
            continuation.resume(throwing: PostgresConnection.closedError)
        }
    }
}
