import Foundation

/// A link that lets an agent use a connection's key: one row of `agent_api_connections`.
public struct AgentConnectionLink: Sendable, Equatable {
    /// The link's own id: the keyset cursor of a listing of links.
    public let id: String
    public let agentID: AgentID
    public let connectionID: ConnectionID
    public let createdAt: Date
}
