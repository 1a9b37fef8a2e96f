/// One turn of the conversation sent to a provider.
public struct ChatMessage: Hashable, Sendable {
    /// Who said it.
    public enum Role: String, Hashable, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}
