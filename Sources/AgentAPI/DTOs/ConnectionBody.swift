import AgentStore
import Foundation
import Hummingbird

/// A connection as the API shows it: a hint and a fingerprint of its key, never the key.
struct ConnectionBody: ResponseEncodable, Identified, Sendable {
    let id: String
    let name: String
    let service: String
    let apiKeyHint: String
    let apiKeyFingerprint: String
    @Nullable var metadata: JSONValue?
    let createdAt: Date
    let updatedAt: Date

    init(_ connection: APIConnection) {
        id = connection.id.rawValue
        name = connection.name
        service = connection.service
        apiKeyHint = connection.apiKeyHint
        apiKeyFingerprint = connection.apiKeyFingerprint
        metadata = connection.metadata
        createdAt = connection.createdAt
        updatedAt = connection.updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, service
        case apiKeyHint = "api_key_hint"
        case apiKeyFingerprint = "api_key_fingerprint"
        case metadata
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /v1/connections`; `api_key` is write-only.
struct CreateConnectionBody: APIRequestBody {
    let name: String
    let service: String
    let apiKey: String
    let metadata: JSONValue?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, service
        case apiKey = "api_key"
        case metadata
    }

    var newConnection: NewAPIConnection {
        NewAPIConnection(name: name, service: service, apiKey: apiKey, metadata: metadata)
    }
}

/// The body of `PATCH /v1/connections/{connection_id}`: absent fields stay, `metadata: null` clears it.
struct UpdateConnectionBody: APIRequestBody {
    let changes: APIConnectionChanges

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, service
        case apiKey = "api_key"
        case metadata
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        changes = APIConnectionChanges(
            name: try container.decodeRequiredPatch(String.self, forKey: .name),
            service: try container.decodeRequiredPatch(String.self, forKey: .service),
            apiKey: try container.decodeRequiredPatch(String.self, forKey: .apiKey),
            metadata: try container.decodePatch(JSONValue.self, forKey: .metadata))
    }
}

/// The body of `GET /v1/connections/{connection_id}/models`: the models the connection's key may use, by
/// name, as its provider lists them.
struct ConnectionModelsBody: ResponseEncodable, Sendable {
    struct Model: Encodable, Sendable {
        let id: String
    }

    let data: [Model]

    init(_ names: [String]) {
        data = names.map(Model.init)
    }
}
