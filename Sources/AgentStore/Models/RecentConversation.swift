/// A conversation in the tenant's list of recent ones, with the name of the agent it is held with (the
/// list spans every agent, and a reader wants to know whom each chat is with).
public struct RecentConversation: Sendable, Equatable {
    public let conversation: Conversation
    public let agentName: String
}
