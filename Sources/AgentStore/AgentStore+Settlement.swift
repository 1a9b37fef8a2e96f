import PostgresNIO

extension AgentStore {
    /// Records how a call without a stored reply ended, in one statement outside a transaction block.
    public func settleCall(_ call: ProviderCallID, of tenant: UserID, _ settlement: CallSettlement) async throws {
        _ = try await alone(prepared: TenantSession.settlement(of: call, tenant: tenant, settlement)) { _ in () }
    }

    /// Stores how a reply ended, in its message and in the ledger row of its last call, in one statement
    /// outside a transaction block; returns the message as stored.
    public func settleReply(
        _ replyID: MessageID, call: ProviderCallID, of tenant: UserID, _ settlement: ReplySettlement
    ) async throws -> Message {
        let stored = try await alone(TenantSession.settlement(of: replyID, call: call, tenant: tenant, settlement)) {
            try TenantSession.message(from: $0)
        }
        return try stored.unwrapped(or: .notFound(resource: "message"))
    }

    /// Runs a statement that sets its tenant itself (a settlement, a completion's start) alone, where a
    /// transaction would cost three more round trips (`BEGIN`, the tenant, `COMMIT`): its tenant is local to
    /// its own implicit transaction, so nothing of it outlives the statement on the pooled connection.
    func alone<Item: Sendable>(
        _ statement: PostgresQuery, _ decode: @Sendable (PostgresRow) throws -> Item
    ) async throws -> Item? {
        try await alone({ try await $0.sendingIfOpen(statement, logger: logger).rows }, decode)
    }

    /// `alone(_:_:)` for a prepared statement.
    func alone<Statement: PostgresPreparedStatement, Item: Sendable>(
        prepared statement: Statement, _ decode: @Sendable (PostgresRow) throws -> Item
    ) async throws -> Item? where Statement.Row == PostgresRow {
        try await alone({ try await $0.executingIfOpen(statement, logger: logger) }, decode)
    }

    private func alone<Item: Sendable>(
        _ run: @Sendable (PostgresConnection) async throws -> [PostgresRow], _ decode: @Sendable (PostgresRow) throws -> Item
    ) async throws -> Item? {
        do {
            return try await client.withLeasedConnection { connection in try await run(connection).first.map(decode) }
        } catch let error as PSQLError {
            if let unavailable = StoreError(unavailable: error) { throw unavailable }
            throw StoreError(error) ?? error
        }
    }
}
