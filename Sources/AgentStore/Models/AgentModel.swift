import Foundation

/// An agent as the OpenAI-compatible endpoint lists it: a model named by the agent's id.
public struct AgentModel: Sendable, Equatable {
    /// The most agents `GET /v1/models` lists, oldest first.
    public static let listedAtMost = 10_000

    public let id: AgentID
    /// The agent's name: chat clients that list models show it where the model offers one.
    public let name: String
    public let createdAt: Date
}
