/// One turn of the conversation sent to a provider.
public struct ChatMessage: Hashable, Sendable {
    /// Who said it.
    public enum Role: String, Hashable, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String
    /// The participant who said it, among several of one role (OpenAI's `name`); providers whose protocol
    /// has no such field (Anthropic) are not sent it.
    public var name: String?

    public init(role: Role, content: String, name: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
    }
}
