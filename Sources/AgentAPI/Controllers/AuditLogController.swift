import AgentStore
import Hummingbird

/// `/v1/audit-log`: the tenant's record of sensitive operations.
struct AuditLogController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
    }

    /// `listAuditLog`: newest first by default; `action` keeps one action's entries.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<AuditEntryBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let action = try request.queryFields["action"].map { name in
            guard let action = AuditAction(rawValue: name) else {
                throw Problem.badParameter(
                    "action", "must be one of the audit log's actions (agent.created, connection.opened...)")
            }
            return action
        }
        let entries = try await store.withTenant(of: context) { try await $0.auditLog(page, action: action) }
        return ListBody(entries, AuditEntryBody.init)
    }
}
