import AgentStore
import Foundation
import Hummingbird

/// A provider call of the ledger, as `GET /v1/usage/calls` and the account export give it.
struct ProviderCallBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let agentID: String
    @Nullable var messageID: String?
    @Nullable var connectionID: String?
    let model: String
    let attempt: Int
    let status: String
    let promptTokens: Int
    let completionTokens: Int
    let usageEstimated: Bool
    @Nullable var latencyMilliseconds: Int?
    @Nullable var timeToFirstTokenMilliseconds: Int?
    @Nullable var error: String?
    let startedAt: Date
    @Nullable var finishedAt: Date?

    init(_ call: ProviderCallRecord) {
        id = call.id
        agentID = call.agentID
        messageID = call.messageID
        connectionID = call.connectionID
        model = call.model
        attempt = call.attempt
        status = call.status.rawValue
        promptTokens = call.promptTokens
        completionTokens = call.completionTokens
        usageEstimated = call.usageEstimated
        latencyMilliseconds = call.latencyMilliseconds
        timeToFirstTokenMilliseconds = call.timeToFirstTokenMilliseconds
        error = call.error.map { Problem.typeBase + $0 }
        startedAt = call.startedAt
        finishedAt = call.finishedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, model, attempt, status, error
        case agentID = "agent_id"
        case messageID = "message_id"
        case connectionID = "connection_id"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case usageEstimated = "usage_estimated"
        case latencyMilliseconds = "latency_ms"
        case timeToFirstTokenMilliseconds = "time_to_first_token_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}
