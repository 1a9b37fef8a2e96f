import PostgresNIO

extension AgentStore {
    /// Everything of `userID`, read from one snapshot as it is iterated (see ``AccountSnapshot``).
    public func accountSnapshot(
        _ userID: UserID, requestID: String? = nil, limits: AccountSnapshot.Limits = .init()
    ) -> AccountSnapshot {
        snapshot(userID, scope: .tenant, requestID: requestID, limits: limits)
    }

    /// Everything of the user a personal token names, the token checked in the snapshot's transaction:
    /// the first element is the user, or the iteration throws `StoreError.unauthenticated`.
    public func accountSnapshot(
        presenting token: PresentedToken, requestID: String? = nil, limits: AccountSnapshot.Limits = .init()
    ) -> AccountSnapshot {
        snapshot(token.userID, scope: .token(hash: token.hash), requestID: requestID, limits: limits)
    }

    private func snapshot(
        _ userID: UserID, scope: TenantSession.Scope, requestID: String?, limits: AccountSnapshot.Limits
    ) -> AccountSnapshot {
        // The idle limit backs up the reader timeout on the server's side: a snapshot held open blocks
        // vacuum, so the server itself ends a session that waits much longer than the store would.
        let access = TenantSession.Access.snapshot(
            statementTimeout: limits.statementTimeout, idleTimeout: limits.readerTimeout * 2)
        return AccountSnapshot(limits: limits) { handoff in
            do {
                try await self.transaction(userID, scope: scope, access: access, requestID: requestID) { session in
                    try await session.exportAccount(pageSize: limits.pageSize) { chunk in
                        // A statement while the reader takes in a large page slowly: the server would
                        // otherwise end the session as idle.
                        try await handoff.send(chunk) { try await session.execute("SELECT 1") }
                    }
                }
                handoff.finish()
            } catch {
                handoff.finish(throwing: error)
            }
        }
    }
}
