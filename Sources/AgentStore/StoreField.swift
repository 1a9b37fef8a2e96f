/// A value of the platform's data that a ``StoreError`` names, in the store's own terms. The HTTP layer
/// maps each to the name its clients know; the store knows nothing of those names.
public enum StoreField: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // MARK: Identity
    /// A row's id, as given by the caller (users are created with the id their identity provider names).
    case id
    case email
    case displayName

    // MARK: Agents
    case name
    case description
    case systemPrompt
    case model
    case temperature
    case maxTokens

    // MARK: Connections and links
    case service
    case apiKey
    case metadata
    case agentID
    case connectionID
    /// The order an agent's connections are tried in: every linked connection's id, first tried first.
    case connectionOrder

    // MARK: Conversations and feedback
    case conversationID
    case messageID
    case role
    case content
    case rating
    case comment
    case parentID
    /// That the parent must still be the last message of its thread (``NewReply/parentMustBeLast``).
    case parentMustBeLast
    case title
    /// The key a client sent to make a request that stores a message safe to retry.
    case idempotencyKey

    // MARK: Usage and limits
    /// The span of time a report covers.
    case timeRange
    case monthlyTokenBudget
    case requestsPerMinute

    // MARK: Tokens
    /// A token's lifetime, in days from its creation.
    case expiresInDays
    case scopes

    // MARK: Paging
    case limit
    /// The id a page starts after.
    case cursorAfter
    /// The id a page ends before.
    case cursorBefore

    // MARK: Search
    /// The words searched for.
    case searchText
    /// Where a page of search results starts.
    case searchCursor
    /// Where a page of the tenant's recent conversations starts.
    case conversationCursor

    /// A value the database refused without saying which field held it.
    case value

    /// Plain words, for logs and the command line.
    public var description: String {
        switch self {
        case .id: "id"
        case .email: "email"
        case .displayName: "display name"
        case .name: "name"
        case .description: "description"
        case .systemPrompt: "system prompt"
        case .model: "model"
        case .temperature: "temperature"
        case .maxTokens: "maximum tokens"
        case .service: "service"
        case .apiKey: "API key"
        case .metadata: "metadata"
        case .agentID: "agent id"
        case .connectionID: "connection id"
        case .connectionOrder: "connection order"
        case .conversationID: "conversation id"
        case .messageID: "message id"
        case .role: "role"
        case .content: "content"
        case .rating: "rating"
        case .comment: "comment"
        case .parentID: "parent id"
        case .parentMustBeLast: "parent must be last"
        case .title: "title"
        case .idempotencyKey: "idempotency key"
        case .timeRange: "time range"
        case .monthlyTokenBudget: "monthly token budget"
        case .requestsPerMinute: "requests per minute"
        case .expiresInDays: "expiry in days"
        case .scopes: "scopes"
        case .limit: "page size"
        case .cursorAfter: "cursor (after)"
        case .cursorBefore: "cursor (before)"
        case .searchText: "search text"
        case .searchCursor: "search cursor"
        case .conversationCursor: "conversation cursor"
        case .value: "value"
        }
    }
}
