import AgentStore
import Foundation
import Hummingbird

/// An agent as the API shows it.
struct AgentBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let name: String
    @Nullable var description: String?
    let systemPrompt: String
    let model: String
    let temperature: Double
    @Nullable var maxTokens: Int?
    let createdAt: Date
    let updatedAt: Date

    init(_ agent: Agent) {
        id = agent.id.rawValue
        name = agent.name
        description = agent.description
        systemPrompt = agent.systemPrompt
        model = agent.model
        temperature = agent.temperature
        maxTokens = agent.maxTokens
        createdAt = agent.createdAt
        updatedAt = agent.updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, description
        case systemPrompt = "system_prompt"
        case model, temperature
        case maxTokens = "max_tokens"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /v1/agents`.
struct CreateAgentBody: APIRequestBody {
    let name: String
    let description: String?
    let systemPrompt: String
    let model: String?
    let temperature: Double?
    let maxTokens: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description
        case systemPrompt = "system_prompt"
        case model, temperature
        case maxTokens = "max_tokens"
    }

    var newAgent: NewAgent {
        NewAgent(
            name: name, description: description, systemPrompt: systemPrompt, model: model,
            temperature: temperature, maxTokens: maxTokens)
    }
}

/// The body of `PATCH /v1/agents/{agent_id}`: absent fields stay, `null` clears the optional ones.
struct UpdateAgentBody: APIRequestBody {
    let changes: AgentChanges

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description
        case systemPrompt = "system_prompt"
        case model, temperature
        case maxTokens = "max_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        changes = AgentChanges(
            name: try container.decodeRequiredPatch(String.self, forKey: .name),
            description: try container.decodePatch(String.self, forKey: .description),
            systemPrompt: try container.decodeRequiredPatch(String.self, forKey: .systemPrompt),
            model: try container.decodeRequiredPatch(String.self, forKey: .model),
            temperature: try container.decodeRequiredPatch(Double.self, forKey: .temperature),
            maxTokens: try container.decodePatch(Int.self, forKey: .maxTokens))
    }
}
