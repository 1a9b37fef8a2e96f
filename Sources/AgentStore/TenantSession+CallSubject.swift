import Foundation
import PostgresNIO

extension TenantSession {
    /// What a provider call needs before it starts, read in one statement: the agent, its linked
    /// connections in the order they were linked, and the limits the operator set for the tenant, if any.
    /// (Three statements before: each a round trip on the path to the first token.)
    struct CallSubject {
        let agent: Agent
        let connections: [LinkedConnection]
        let overrides: ChatLimits
    }

    func callSubject(_ agentID: AgentID) async throws -> CallSubject {
        try await row(
            """
            SELECT a.id, a.user_id, a.name, a.description, a.system_prompt, a.model, a.temperature::float8, a.max_tokens,
                   a.created_at, a.updated_at, k.ids, k.services, k.base_urls, cl.monthly_token_budget, cl.requests_per_minute
              FROM agents a
              LEFT JOIN LATERAL (
                SELECT array_agg(c.id ORDER BY l.created_at, l.id) AS ids,
                       array_agg(c.service ORDER BY l.created_at, l.id) AS services,
                       array_agg(coalesce(c.metadata->>'base_url', '') ORDER BY l.created_at, l.id) AS base_urls
                  FROM agent_api_connections l
                  JOIN api_connections c ON c.id = l.api_connection_id AND c.user_id = l.user_id
                 WHERE l.agent_id = a.id AND l.user_id = \(userID.rawValue)
              ) k ON true
              LEFT JOIN chat_limits cl ON cl.user_id = \(userID.rawValue)
             WHERE a.id = \(agentID.rawValue) AND a.user_id = \(userID.rawValue)
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
            let (ids, services, baseURLs) = (columns.10 ?? [], columns.11 ?? [], columns.12 ?? [])
            let connections = ids.indices.map { index in
                LinkedConnection(
                    id: ConnectionID(stored: ids[index]), service: services[index],
                    baseURL: baseURLs[index].isEmpty ? nil : baseURLs[index])
            }
            return CallSubject(
                agent: agent, connections: connections,
                overrides: ChatLimits(monthlyTokenBudget: columns.13, requestsPerMinute: columns.14))
        }.unwrapped(or: .notFound(resource: "agent"))
    }
}
