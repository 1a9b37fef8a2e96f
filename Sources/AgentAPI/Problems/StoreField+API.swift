import AgentStore

extension StoreField {
    /// The name clients know the field by: the JSON member, query parameter or path parameter that carried
    /// it (snake_case, as in the API's bodies, or the header's own name), used in problem documents.
    var apiName: String {
        switch self {
        case .id: "id"
        case .email: "email"
        case .displayName: "display_name"
        case .name: "name"
        case .description: "description"
        case .systemPrompt: "system_prompt"
        case .model: "model"
        case .temperature: "temperature"
        case .maxTokens: "max_tokens"
        case .service: "service"
        case .apiKey: "api_key"
        case .metadata: "metadata"
        case .agentID: "agent_id"
        case .connectionID: "connection_id"
        case .connectionOrder: "connection_ids"
        case .conversationID: "conversation_id"
        case .messageID: "message_id"
        case .role: "role"
        case .content: "content"
        case .rating: "rating"
        case .comment: "comment"
        case .parentID: "parent_id"
        case .parentMustBeLast: "if_last"
        case .title: "title"
        case .idempotencyKey: "Idempotency-Key"
        case .timeRange: "from"
        case .monthlyTokenBudget: "monthly_token_budget"
        case .requestsPerMinute: "requests_per_minute"
        case .expiresInDays: "expires_in_days"
        case .scopes: "scopes"
        case .limit: "limit"
        case .cursorAfter: "after"
        case .cursorBefore: "before"
        case .searchText: "q"
        case .searchCursor, .conversationCursor: "cursor"
        case .value: "value"
        }
    }
}
