import AgentTestSupport
import NIOConcurrencyHelpers
import NIOPosix
import PostgresNIO
import Testing

@testable import AgentStore

/// The pool's choice among idle connections: the caller's event loop first, so that a request's statements
/// are written and answered on its own thread.
@Suite struct PoolStateTests {
    @Test func aLeaseTakesAConnectionOfTheCallersEventLoopFirst() async throws {
        let db = try await TestDatabase.make()
        // Two loops of a group of the test's own: the shared one hands its loops out round-robin to every
        // parallel test, and could give this one the same loop twice.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = (group.next(), group.next())
        #expect(loops.0 !== loops.1)
        let configuration = try db.runtimeURL.connectionConfiguration()
        var connections: [PostgresConnection] = []
        for loop in [loops.0, loops.0, loops.1] {
            connections.append(
                try await PostgresConnection.connect(
                    on: loop, configuration: configuration, id: connections.count, logger: db.logger))
        }
        let state = NIOLockedValueBox(PoolState())
        for connection in connections { _ = state.withLockedValue { $0.connected(connection) } }

        // The newest idle connection is of the second loop; a caller on the first loop still gets one of its own.
        let leasedOnFirst = try await loops.0.submit { state.withLockedValue { $0.lease() } }.get()
        let local = try #require(Self.connection(leasedOnFirst))
        #expect(local.eventLoop === loops.0)
        // Off every loop, the newest idle one, as before.
        let newest = try #require(Self.connection(state.withLockedValue { $0.lease() }))
        #expect(newest === connections[2])
        // With none of its loop idle, a caller takes what there is.
        let leasedOnSecond = try await loops.1.submit { state.withLockedValue { $0.lease() } }.get()
        let other = try #require(Self.connection(leasedOnSecond))
        #expect(other.eventLoop === loops.0 && other !== local)
        // PostgresNIO requires a connection closed before it is released.
        for connection in connections { try await connection.close() }
        try await group.shutdownGracefully()
    }

    private static func connection(_ decision: PoolState.LeaseDecision) -> PostgresConnection? {
        guard case .connection(let connection) = decision else { return nil }
        return connection
    }
}
