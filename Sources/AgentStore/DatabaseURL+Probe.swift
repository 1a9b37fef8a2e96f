import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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
            answer.fail(DatabaseUnreachable(url: self, reason: "no answer within \(limit)", mayPass: true))
        }
        PostgresConnection.connect(on: loop, configuration: configuration, id: 0, logger: logger).whenComplete { result in
            timer.cancel()
            let first = settlesFirst()
            switch result {
            case .success(let connection) where first: answer.succeed(connection)
            case .success(let connection): connection.close().whenComplete { _ in }
            case .failure(let error) where first:
                answer.fail(DatabaseUnreachable(url: self, reason: Self.reason(error), mayPass: Self.mayPass(error)))
            case .failure: break
            }
        }
        let connection = try await answer.futureResult.get()
        try? await connection.close()
    }

    /// ``probe(within:logger:)`` tried again, half a second and then up to five apart, for as long as the
    /// database cannot be reached for a reason that may pass and `patience` lasts: a server and its
    /// database started together come up in either order, and a database restarting answers again within
    /// it. A refused login or a missing database fails at once, as waiting would not change it. No patience
    /// is one probe.
    public func waitUntilReachable(patience: Duration, logger: Logger) async throws {
        guard patience > .zero else { return try await probe(logger: logger) }
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        var pause = Duration.milliseconds(500)
        while true {
            do {
                // Each try ends by the deadline, give or take the last second.
                try await probe(within: max(.seconds(1), min(.seconds(10), clock.now.duration(to: deadline))), logger: logger)
                return
            } catch let error as DatabaseUnreachable where error.mayPass {
                guard clock.now + pause < deadline else {
                    throw DatabaseUnreachable(
                        url: self, reason: "\(error.reason), still after \(patience.components.seconds) seconds of trying",
                        mayPass: true)
                }
                logger.warning(
                    "the database cannot be reached yet; trying again",
                    metadata: ["database": "\(self)", "reason": "\(error.reason)", "retry_in": "\(pause)"])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    /// Whether a failure to connect may pass by itself: no answer, a connection refused or lost, a server
    /// starting up, shutting down or full; not a refusal of the login or of the database named, nor a
    /// server that will not speak TLS or a login method the URL cannot meet.
    static func mayPass(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return true }
        switch error.code {
        case .server: return StoreError(unavailable: error) != nil
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection: return true
        default: return false
        }
    }

    /// Why a connection failed, in the server's words when it answered: never the password, which no
    /// PostgreSQL error holds. (A `PSQLError`'s own description is generic on purpose, and the same for a
    /// refused password, a full server and a lost connection.)
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "unknown"))"
        }
        return error.underlying.map(Self.cause) ?? "\(error.code)"
    }

    /// The cause under a driver's error in an operator's words where a system call's are all NIO gives.
    private static func cause(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case ENOENT: return "no server socket there (is PostgreSQL running?)"
            case ECONNREFUSED: return "connection refused (is PostgreSQL running and listening there?)"
            case ETIMEDOUT: return "the connection timed out"
            case EACCES: return "permission denied on the server's socket"
            default: break
            }
        }
        if error is SocketAddressError.UnknownHost { return "the host name does not resolve" }
        if case SocketAddressError.unixDomainSocketPathTooLong = error { return "the socket's path is too long" }
        if case ChannelError.connectTimeout(let limit) = error { return "no answer within \(limit)" }
        if let error = error as? NIOConnectionError {
            // Each address the name resolved to was tried: the first one's failure says why.
            guard let first = error.connectionErrors.first else {
                return error.dnsAError != nil || error.dnsAAAAError != nil
                    ? "the host name does not resolve" : "no address to connect to"
            }
            return cause(first.error)
        }
        return "\(error)"
    }
}

/// A database a command could not connect to; the URL is shown without its password.
public struct DatabaseUnreachable: Error, Sendable, CustomStringConvertible {
    let url: DatabaseURL
    let reason: String
    /// Whether trying again later may succeed (see ``DatabaseURL/mayPass(_:)``).
    let mayPass: Bool

    public var description: String { "cannot connect to the database at \(url): \(reason)" }
}
