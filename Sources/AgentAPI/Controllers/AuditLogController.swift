import AgentStore
import Hummingbird

/// `/v1/audit-log`: the tenant's record of sensitive operations.
struct AuditLogController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
    }

    /// `listAuditLog`: newest first by default.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> ListBody<AuditEntryBody> {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let entries = try await store.withTenant(of: context) { try await $0.auditLog(page) }
        return ListBody(entries, AuditEntryBody.init)
    }
}
