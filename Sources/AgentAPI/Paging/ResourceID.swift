import AgentStore
import Foundation
import Hummingbird

/// Checks of ids taken from query strings before they reach the store.
enum ResourceID {
    /// Whether `value` could be an id at all: 1 to 200 characters, none of them control characters
    /// (PostgreSQL text cannot hold NUL, and no id of the platform has one). The typed ids
    /// (`AgentID(rawValue:)`, ...) check the same.
    static func isPlausible(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        return (1...200).contains(scalars.count) && !scalars.contains { $0.properties.generalCategory == .control }
    }
}

extension APIRequestContext {
    /// The path parameter `name` as a typed id, percent-decoded as `conversation_id` is (a client that
    /// encodes every path segment names the same resource); an implausible id, or one not validly encoded,
    /// names nothing, so it is a 404 like any unknown id.
    public func id<ID: RawRepresentable>(_ type: ID.Type, _ name: String, of resource: String) throws -> ID
    where ID.RawValue == String {
        guard let value = parameters.get(name)?.removingPercentEncoding, let id = ID(rawValue: value) else {
            throw Problem.notFound(resource)
        }
        return id
    }
}

extension APIRequestContext {
    /// The path's `conversation_id`, percent-decoded: conversation ids are chosen by clients (as in the
    /// original design), so a client that encodes `my chat` as `my%20chat` names the conversation `my chat`.
    /// An id outside the documented limits is a 422 that says which.
    public func conversationID() throws -> ConversationID {
        guard let raw = parameters.get("conversation_id") else { throw Problem.notFound("conversation") }
        guard let decoded = raw.removingPercentEncoding else {
            throw Problem.invalid(field: "conversation_id", reason: "is not validly percent-encoded")
        }
        guard let id = ConversationID(rawValue: decoded) else {
            throw Problem.invalid(field: "conversation_id", reason: ConversationID.rule)
        }
        return id
    }
}
