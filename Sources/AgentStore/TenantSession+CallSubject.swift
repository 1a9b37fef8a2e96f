import Foundation
import PostgresNIO

extension TenantSession {
    /// What a provider call needs before it starts, read in one statement: the agent, its linked
    /// connections in the order they are tried (as set, then as linked: migration 29), and the limits the
    /// operator set for the tenant, if any. (Three statements before: each a round trip on the path to the
    /// first token.) The statement is a PL/pgSQL function (migration 12), whose plan each connection caches,
    /// where the statement was planned on every call.
    struct CallSubject {
        let agent: Agent
        let connections: [LinkedConnection]
        let overrides: ChatLimits
    }

    func callSubject(_ agentID: AgentID) async throws -> CallSubject {
        try await row(
            """
            SELECT id, user_id, name, description, system_prompt, model, temperature, max_tokens, created_at, updated_at,
                   connection_ids, services, base_urls, monthly_token_budget, requests_per_minute
              FROM public.call_subject(\(agentID.rawValue))
            """
        ) { row in
            let columns = try row.decode(
                (
                    String, String, String, String?, String, String, Double, Int?, Date, Date, [String]?, [String]?, [String]?,
                    Int?, Int?
                ).self)
            let agent = Self.agent(
                (
                    columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, columns.6, columns.7, columns.8,
                    columns.9
                ))
            return CallSubject(
                agent: agent, connections: Self.linkedConnections(ids: columns.10, services: columns.11, baseURLs: columns.12),
                overrides: ChatLimits(monthlyTokenBudget: columns.13, requestsPerMinute: columns.14))
        }.unwrapped(or: .notFound(resource: "agent"))
    }

    /// The linked connections from the parallel arrays `call_subject` reads them as, in call order; an empty
    /// base URL is none.
    static func linkedConnections(ids: [String]?, services: [String]?, baseURLs: [String]?) -> [LinkedConnection] {
        let (ids, services, baseURLs) = (ids ?? [], services ?? [], baseURLs ?? [])
        return ids.indices.map { index in
            LinkedConnection(
                id: ConnectionID(stored: ids[index]), service: services[index],
                baseURL: baseURLs[index].isEmpty ? nil : baseURLs[index])
        }
    }
}
