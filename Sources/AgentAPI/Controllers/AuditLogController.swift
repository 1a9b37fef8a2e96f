import AgentStore
import Hummingbird

/// `/v1/audit-log`: the tenant's record of sensitive operations.
struct AuditLogController: Sendable {
    let store: AgentStore

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get(use: list)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try PageRequest(query: request, defaultOrder: .descending)
        let entries = try await store.withTenant(of: context) { try await $0.auditLog(page) }
        return try .json(ListBody(entries, AuditEntryBody.init))
    }
}
