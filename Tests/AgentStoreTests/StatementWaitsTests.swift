import AgentTestSupport
import Logging
import NIOPosix
import PostgresNIO
import Testing

@testable import AgentStore

/// A prepared statement's wait ends when its connection closes, whether the close comes while it waits or
/// came before it was registered, and ends once.
@Suite struct StatementWaitsTests {
    private func connect(_ db: TestDatabase) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try db.runtimeURL.connectionConfiguration(),
            id: 1, logger: db.logger)
    }

    @Test func aWaitEndsWithItsConnectionsClose() async throws {
        let db = try await TestDatabase.make()
        let connection = try await connect(db)
        await #expect(throws: StoreError.unavailable(reason: "the database connection closed")) {
            _ = try await withCheckedThrowingContinuation { continuation in
                // Registered and never answered, as a statement the closing channel dropped.
                guard StatementWaits.shared.register(continuation, on: connection) != nil else { return }
                Task { try await connection.close() }
            }
        }
    }

    @Test func aWaitOnAClosedConnectionEndsAtOnceAndOnce() async throws {
        let db = try await TestDatabase.make()
        let connection = try await connect(db)
        try await connection.close()
        for _ in 0..<3 {
            await #expect(throws: StoreError.unavailable(reason: "the database connection closed")) {
                _ = try await withCheckedThrowingContinuation { continuation in
                    #expect(StatementWaits.shared.register(continuation, on: connection) == nil)
                }
            }
        }
    }

    private struct Echo: PostgresPreparedStatement {
        static let sql = "SELECT $1::int4"
        typealias Row = PostgresRow
        let value: Int32
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(value)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    @Test func answeredStatementsLeaveNoWaitBehind() async throws {
        let db = try await TestDatabase.make()
        let connection = try await connect(db)
        for value in Int32(0)..<20 {
            let rows = try await connection.executingIfOpen(Echo(value: value), logger: db.logger)
            #expect(try rows.first?.decode(Int32.self) == value)
        }
        #expect(StatementWaits.shared.pending(on: connection) == 0)
        try await connection.close()
        await #expect(throws: StoreError.unavailable(reason: "the database connection closed")) {
            try await connection.executingIfOpen(Echo(value: 1), logger: db.logger)
        }
    }
}
