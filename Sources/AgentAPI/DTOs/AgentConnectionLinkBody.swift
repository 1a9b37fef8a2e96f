import AgentStore
import Foundation

/// A link of an agent to a connection as the account export shows it.
struct AgentConnectionLinkBody: Encodable, Sendable {
    let agentID: String
    let connectionID: String
    let createdAt: Date
    @Nullable var callPosition: Int?

    init(_ link: AgentConnectionLink) {
        agentID = link.agentID.rawValue
        connectionID = link.connectionID.rawValue
        createdAt = link.createdAt
        callPosition = link.callPosition
    }

    private enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case connectionID = "connection_id"
        case createdAt = "created_at"
        case callPosition = "call_position"
    }
}
