import Foundation

/// A link that lets an agent use a connection's key: one row of `agent_api_connections`.
public struct AgentConnectionLink: Sendable, Equatable {
    /// The link's own id: the keyset cursor of a listing of links.
    public let id: String
    public let agentID: AgentID
    public let connectionID: ConnectionID
    public let createdAt: Date
    /// Its place in the order the agent's replies try its connections (1 first), when one was set; links
    /// without one come after, in the order they were made.
    public let callPosition: Int?
}
