import AgentStore
import Hummingbird

/// The order an agent's replies try its connections in: the body of `setConnectionOrder` and the answer
/// of both of its routes.
struct ConnectionOrderBody: APIRequestBody, ResponseEncodable {
    let connectionIDs: [String]

    init(_ order: [ConnectionID]) {
        connectionIDs = order.map(\.rawValue)
    }

    /// The ids as the store takes them; a string that could not be an id names no linked connection.
    func order() throws -> [ConnectionID] {
        try connectionIDs.map { raw in
            guard let id = ConnectionID(rawValue: raw) else {
                throw Problem.invalid(field: "connection_ids", reason: TenantSession.notLinked)
            }
            return id
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case connectionIDs = "connection_ids"
    }
}
