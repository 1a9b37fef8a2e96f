/// What a chat completion asks for when it starts.
public struct NewCompletion: Sendable {
    public var agentID: AgentID
    /// The estimated tokens of the messages the client sent.
    public var promptTokens: Int
    /// The request's `max_tokens`, which may only lower the agent's.
    public var maximumTokens: Int?
    /// The services whose connections can answer, by name; the key of the first in call order is opened.
    public var services: Set<String>

    public init(agentID: AgentID, promptTokens: Int, maximumTokens: Int?, services: Set<String>) {
        self.agentID = agentID
        self.promptTokens = promptTokens
        self.maximumTokens = maximumTokens
        self.services = services
    }
}
