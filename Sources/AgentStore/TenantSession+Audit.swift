import Foundation
import PostgresNIO

extension TenantSession {
    /// The actor recorded for operations of the runtime: the tenant's own user, or the operator whose
    /// command acts in the tenant's name.
    var actor: String { operatorActs ? AuditEntry.operatorActor : AuditEntry.actor(userID) }

    /// This session, its operations recorded as the operator's (`agentctl tokens`): a token an operator
    /// issued for a user is not told from one the user made otherwise.
    public func actingAsOperator() -> TenantSession {
        var session = self
        session.operatorActs = true
        return session
    }

    /// Records an operator's change of the tenant's limits in the tenant's log (the operator's role writes only
    /// its own): what the tenant is allowed is the tenant's to know. Nothing for a change that changed nothing.
    public func recordLimitsChange(_ change: ChatLimitChange) async throws {
        guard change.isChange else { return }
        try await audit(.limitsChanged, targetType: "user", targetID: userID.rawValue, details: change.auditDetails)
    }

    /// Records a sensitive operation in the tenant's audit log, in the same transaction as the operation.
    func audit(_ action: AuditAction, targetType: String, targetID: String?, details: [String: JSONValue]? = nil) async throws {
        let details = try details.map { try JSONValue.object($0).storedText(field: .value) }
        try await execute(
            """
            INSERT INTO audit_log (tenant_id, actor, action, target_type, target_id, request_id, details)
            VALUES (\(userID.rawValue), \(actor), \(action.rawValue), \(targetType), \(targetID), \(requestID), \(details)::jsonb)
            """)
    }

    static let auditColumns = "id, tenant_id, actor, action, target_type, target_id, request_id, created_at, details::text"

    static func auditEntry(from row: PostgresRow) throws -> AuditEntry {
        let (id, tenantID, actor, action, targetType, targetID, requestID, createdAt, details) =
            try row.decode((String, String?, String, String, String, String?, String?, Date, String?).self)
        return AuditEntry(
            id: id, tenantID: tenantID.map(UserID.init(stored:)), actor: actor, action: action,
            targetType: targetType, targetID: targetID, requestID: requestID, createdAt: createdAt,
            details: try details.map(JSONValue.init(storedText:)))
    }

    /// The tenant's audit log, newest first by default.
    public func auditLog(_ request: PageRequest, action: AuditAction? = nil) async throws -> Page<AuditEntry> {
        // One action's entries: the tenant's entries read newest first until a page of them is found (a
        // reply's key opening, the most frequent, no longer hides the rest of the log).
        var filters = [("tenant_id", userID.rawValue)]
        if let action { filters.append(("action", action.rawValue)) }
        return try await listing(Self.auditColumns, from: "audit_log", where: filters, request, Self.auditEntry)
    }
}

extension TenantSession {
    /// The names of the agents and connections that `entries` target, where they still exist: an audit
    /// log reads by name ("Key opened: connection Main key"), where its entries keep only ids (a name
    /// changes, and the entry must not). One statement for a page of entries.
    public func targetNames(of entries: [AuditEntry]) async throws -> AuditTargetNames {
        let agents = entries.filter { $0.targetType == "agent" }.compactMap(\.targetID)
        // A link's entry targets its agent and names its connection in its details.
        let connections =
            entries.filter { $0.targetType == "connection" }.compactMap(\.targetID)
            + entries.compactMap(\.detailedConnectionID)
        guard !agents.isEmpty || !connections.isEmpty else { return AuditTargetNames() }
        let named = try await rows(
            """
            SELECT 'agent', id, name FROM agents WHERE id = ANY(\(agents)) AND user_id = \(userID.rawValue)
            UNION ALL
            SELECT 'connection', id, name FROM api_connections
             WHERE id = ANY(\(connections)) AND user_id = \(userID.rawValue)
            """
        ) { try $0.decode((String, String, String).self) }
        var names = AuditTargetNames()
        for (type, id, name) in named { names.byTarget[AuditTargetNames.key(type, id)] = name }
        return names
    }
}
