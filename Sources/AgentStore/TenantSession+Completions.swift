import AgentSecrets
import Foundation
import PostgresNIO

extension TenantSession {
    /// Starts a provider call whose conversation the client sends (the OpenAI-compatible endpoint), in this
    /// transaction: checks the limits and enters the call in the ledger, storing nothing else. The same
    /// statement runs alone, its token checked by it, in `AgentStore.beginCompletion(as:_:...)`.
    ///
    /// Throws `StoreError.notFound` for an agent the tenant does not have and `StoreError.invalid` for
    /// one with no linked connection that can answer; then nothing is entered.
    public func beginCompletion(
        _ new: NewCompletion, limits: ChatLimits, budget: ContextBudget, opening: KeyOpening? = nil
    ) async throws -> CompletionStart {
        let claim = TenantClaim.tenant(userID)
        let statement = Self.completionStart(
            claim, new, limits: limits, budget: budget, opening: opening, keyring: keyring, requestID: requestID)
        let keyring = self.keyring
        return try await rows(prepared: statement, setsTenant: true) {
            try Self.completionStart(from: $0, claim, new, opening: opening, keyring: keyring)
        }.first.unwrapped(or: .notFound(resource: "user"))
    }

    // MARK: The statement

    /// `start_completion` (migration 13): it sets the tenant itself, so it can run outside a transaction block.
    /// Without a keyring no key could be opened, so none is read (or its opening audited).
    static func completionStart(
        _ claim: TenantClaim, _ new: NewCompletion, limits: ChatLimits, budget: ContextBudget, opening: KeyOpening?,
        keyring: Keyring?, requestID: String?
    ) -> PreparedCalls.CompletionStart {
        let (hash, accepted): (ByteBuffer?, [String]?) =
            switch claim {
            case .tenant: (nil, nil)
            case .token(let token, let required):
                (ByteBuffer(bytes: token.hash), TokenScope.allCases.filter { $0 >= required }.map(\.rawValue))
            }
        return PreparedCalls.CompletionStart(
            tenant: claim.userID.rawValue, tokenHash: hash, acceptedScopes: accepted, agent: new.agentID.rawValue,
            promptTokens: Int32(clamping: new.promptTokens), maximumTokens: new.maximumTokens.map { Int32(clamping: $0) },
            defaultMaximumTokens: Int32(clamping: budget.defaultMaximumTokens), monthlyTokenBudget: limits.monthlyTokenBudget,
            requestsPerMinute: limits.requestsPerMinute.map { Int32(clamping: $0) }, services: new.services.sorted(),
            keyPurpose: keyring == nil ? nil : opening?.purpose.rawValue, requestID: requestID)
    }

    /// The start the statement's row tells of, or the error it stands for: a refused token, an agent not
    /// found or with no connection that can answer, a limit reached.
    static func completionStart(
        from row: PostgresRow, _ claim: TenantClaim, _ new: NewCompletion, opening: KeyOpening?, keyring: Keyring?
    ) throws -> CompletionStart {
        let columns = row.makeRandomAccess()
        if case .token(_, let required) = claim {
            guard let granted = try columns["granted_scopes"].decode([String]?.self) else { throw StoreError.unauthenticated }
            guard scopes(granted).allow(required) else { throw StoreError.forbidden(needing: required) }
        }
        guard let id = try columns["id"].decode(String?.self) else { throw StoreError.notFound(resource: "agent") }
        let agent = Self.agent(
            (
                id, try columns["user_id"].decode(String.self), try columns["name"].decode(String.self),
                try columns["description"].decode(String?.self), try columns["system_prompt"].decode(String.self),
                try columns["model"].decode(String.self), try columns["temperature"].decode(Double.self),
                try columns["max_tokens"].decode(Int?.self), try columns["created_at"].decode(Date.self),
                try columns["updated_at"].decode(Date.self)
            ))
        let connections = linkedConnections(
            ids: try columns["connection_ids"].decode([String]?.self), services: try columns["services"].decode([String]?.self),
            baseURLs: try columns["base_urls"].decode([String]?.self))
        guard let keyConnection = try columns["key_connection_id"].decode(String?.self).map(ConnectionID.init(stored:)) else {
            throw StoreError.invalid(
                field: .agentID,
                reason:
                    "the agent has no linked connection whose service can answer (\(new.services.sorted().joined(separator: ", ")))"
            )
        }
        if let refusal = refusal(
            by: try columns["refused_by"].decode(String?.self), retryAfter: try columns["retry_after"].decode(Int?.self))
        {
            throw refusal
        }
        let call = ProviderCallID(
            rawValue: try columns["call_id"].decode(String?.self).unwrapped(or: .notFound(resource: "user")))
        // The statement opens the first connection that can answer; a start told to open another (one whose
        // base URL the process refuses) leaves the key to the generation, which opens the one it calls.
        var firstKey: OpenedKey?
        if let opening, opening.choose(connections) == keyConnection, let sealed = try columns["sealed_key"].decode(String?.self),
            let secret = try? openSealedKey(sealed, of: keyConnection, tenant: agent.userID, keyring: keyring)
        {
            firstKey = OpenedKey(connectionID: keyConnection, secret: secret)
        }
        return CompletionStart(
            agent: agent, connections: connections, maximumTokens: try columns["maximum_tokens"].decode(Int.self), call: call,
            firstKey: firstKey)
    }
}
