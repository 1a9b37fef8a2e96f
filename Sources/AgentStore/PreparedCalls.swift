import NIOCore
import PostgresNIO

/// The statements on every chat completion's path, prepared: each connection parses and plans them once,
/// where the same SQL sent unprepared was parsed on every call (0.11 ms of PostgreSQL's time each, traced
/// with `log_min_duration_statement`, about a tenth of what it spent per completion).
enum PreparedCalls {
    /// `start_completion` (migration 13): the columns `TenantSession.completionStart(from:...)` reads.
    struct CompletionStart: PreparedPage {
        static let sql = """
            SELECT granted_scopes, id, user_id, name, description, system_prompt, model, temperature, max_tokens, created_at,
                   updated_at, connection_ids, services, base_urls, maximum_tokens, key_connection_id, call_id, refused_by,
                   retry_after, sealed_key
              FROM public.start_completion($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """
        let tenant: String
        let tokenHash: ByteBuffer?
        let acceptedScopes: [String]?
        let agent: String
        let promptTokens: Int32
        let maximumTokens: Int32?
        let defaultMaximumTokens: Int32
        let monthlyTokenBudget: Int?
        let requestsPerMinute: Int32?
        let services: [String]
        let keyPurpose: String?
        let requestID: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 12)
            bindings.append(tenant)
            bindings.append(tokenHash)
            bindings.append(acceptedScopes)
            bindings.append(agent)
            bindings.append(promptTokens)
            bindings.append(maximumTokens)
            bindings.append(defaultMaximumTokens)
            bindings.append(monthlyTokenBudget)
            bindings.append(requestsPerMinute)
            bindings.append(services)
            bindings.append(keyPurpose)
            bindings.append(requestID)
            return bindings
        }
    }

    /// `settle_provider_call` (migration 12).
    struct CallSettlement: PreparedPage {
        static let sql = "SELECT public.settle_provider_call($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        let tenant: String
        let call: String
        let status: String
        let connection: String?
        let promptTokens: Int32
        let completionTokens: Int32
        let usageEstimated: Bool
        let latencyMilliseconds: Int32?
        let timeToFirstTokenMilliseconds: Int32?
        let error: String?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.append(tenant)
            bindings.append(call)
            bindings.append(status)
            bindings.append(connection)
            bindings.append(promptTokens)
            bindings.append(completionTokens)
            bindings.append(usageEstimated)
            bindings.append(latencyMilliseconds)
            bindings.append(timeToFirstTokenMilliseconds)
            bindings.append(error)
            return bindings
        }
    }
}
