import PostgresNIO

/// The bookkeeping of `PersistentConnectionPool`, changed only under its lock. Every method returns the
/// continuations to resume, which the pool resumes after releasing the lock.
struct PoolState {
    typealias Continuation = CheckedContinuation<PostgresConnection, any Error>

    /// A request waiting for a connection. It is registered (`pending`) before it parks its continuation,
    /// so a connection released in between is reserved for it (`served`) rather than missed.
    enum Waiter {
        case pending
        case parked(Continuation)
        case served(PostgresConnection)
        case failed(any Error)
    }

    enum LeaseDecision {
        case connection(PostgresConnection)
        case wait(UInt64)
        case unavailable(String)
    }

    /// A continuation and what to resume it with.
    struct Resumption {
        let continuation: Continuation
        let result: Result<PostgresConnection, any Error>

        func resume() { continuation.resume(with: result) }
    }

    private(set) var idle: [PostgresConnection] = []
    private var waiters: [(id: UInt64, waiter: Waiter)] = []
    private var nextWaiterID: UInt64 = 0
    /// Connections open now, idle or leased.
    private(set) var open = 0
    /// Connections open and leased, as `/metrics` shows them.
    var inUse: Int { max(0, open - idle.count) }
    /// Whether the last attempt to connect failed; with no connection open, requests fail at once.
    private var lastAttemptFailed = false
    private var isShutDown = false

    // MARK: Requests

    mutating func lease() -> LeaseDecision {
        if isShutDown { return .unavailable("the server is shutting down") }
        // A connection of the caller's event loop first (a request's task runs on its socket's loop): its
        // statements are then written and answered on this thread, without waking another for each.
        if let local = idle.lastIndex(where: { $0.eventLoop.inEventLoop && !$0.isClosed }) {
            return .connection(idle.remove(at: local))
        }
        while let connection = idle.popLast() {
            if !connection.isClosed { return .connection(connection) }
        }
        if open == 0 && lastAttemptFailed { return .unavailable("the database cannot be reached") }
        nextWaiterID &+= 1
        waiters.append((nextWaiterID, .pending))
        return .wait(nextWaiterID)
    }

    /// Parks a registered request; answers at once if it was served or failed in the meantime.
    mutating func park(_ id: UInt64, _ continuation: Continuation) -> Resumption? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else {
            return Resumption(continuation: continuation, result: .failure(CancellationError()))
        }
        switch waiters[index].waiter {
        case .pending:
            waiters[index].waiter = .parked(continuation)
            return nil
        case .served(let connection):
            waiters.remove(at: index)
            return Resumption(continuation: continuation, result: .success(connection))
        case .failed(let error):
            waiters.remove(at: index)
            return Resumption(continuation: continuation, result: .failure(error))
        case .parked:
            preconditionFailure("a request parks once")
        }
    }

    /// A request gives up (timeout or cancellation); a connection reserved for it goes to the next.
    mutating func abandon(_ id: UInt64, _ error: any Error) -> Resumption? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        switch waiters[index].waiter {
        case .pending:
            waiters[index].waiter = .failed(error)
            return nil
        case .parked(let continuation):
            waiters.remove(at: index)
            return Resumption(continuation: continuation, result: .failure(error))
        case .served(let connection):
            waiters[index].waiter = .failed(error)
            return release(connection)
        case .failed:
            return nil
        }
    }

    /// A connection comes back (or is new): to the longest-waiting request, else to the idle list.
    mutating func release(_ connection: PostgresConnection) -> Resumption? {
        for index in waiters.indices {
            switch waiters[index].waiter {
            case .pending:
                waiters[index].waiter = .served(connection)
                return nil
            case .parked(let continuation):
                waiters.remove(at: index)
                return Resumption(continuation: continuation, result: .success(connection))
            case .served, .failed:
                continue
            }
        }
        idle.append(connection)
        return nil
    }

    // MARK: Slots

    /// A slot connected; `recovered` says the database was unreachable until now.
    mutating func connected(_ connection: PostgresConnection) -> (Resumption?, recovered: Bool) {
        open += 1
        let recovered = lastAttemptFailed
        lastAttemptFailed = false
        if isShutDown {
            connection.close().whenComplete { _ in }
            return (nil, recovered)
        }
        return (release(connection), recovered)
    }

    mutating func disconnected(_ connection: PostgresConnection) {
        open -= 1
        idle.removeAll { $0 === connection }
    }

    /// A slot failed to connect. With no connection open, the waiting requests fail now rather than at
    /// their timeout. `first` is true on the first failure after a success, for logging once.
    mutating func connectFailed(reason: String = "the database cannot be reached") -> ([Resumption], first: Bool) {
        let first = !lastAttemptFailed
        lastAttemptFailed = true
        guard open == 0 else { return ([], first) }
        return (failWaiters(StoreError.unavailable(reason: reason)), first)
    }

    mutating func shutDown() -> [Resumption] {
        isShutDown = true
        return failWaiters(StoreError.unavailable(reason: "the server is shutting down"))
    }

    private mutating func failWaiters(_ error: any Error) -> [Resumption] {
        var resumptions: [Resumption] = []
        for index in waiters.indices.reversed() {
            switch waiters[index].waiter {
            case .pending:
                waiters[index].waiter = .failed(error)
            case .parked(let continuation):
                waiters.remove(at: index)
                resumptions.append(Resumption(continuation: continuation, result: .failure(error)))
            case .served, .failed:
                continue
            }
        }
        return resumptions.reversed()
    }
}
