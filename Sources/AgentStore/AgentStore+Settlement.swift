import PostgresNIO

extension AgentStore {
    /// Records how a call without a stored reply ended: one statement outside a transaction block, where a
    /// transaction would cost three more round trips (`BEGIN`, the tenant, `COMMIT`). The statement sets
    /// `tenant` itself, local to its own implicit transaction, so nothing of it outlives the statement on
    /// the pooled connection.
    public func settleCall(_ call: ProviderCallID, of tenant: UserID, _ settlement: CallSettlement) async throws {
        do {
            try await client.withLeasedConnection { connection in
                _ = try await connection.sendingIfOpen(
                    TenantSession.settlement(of: call, tenant: tenant, settlement), logger: logger)
            }
        } catch let error as PSQLError {
            if let unavailable = StoreError(unavailable: error) { throw unavailable }
            throw StoreError(error) ?? error
        }
    }
}
