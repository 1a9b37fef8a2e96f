import AgentStore
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
    /// The path parameter `name` as a typed id; an implausible id names nothing, so it is a 404 like any
    /// unknown id.
    func id<ID: RawRepresentable>(_ type: ID.Type, _ name: String, of resource: String) throws -> ID
    where ID.RawValue == String {
        guard let value = parameters.get(name), let id = ID(rawValue: value) else { throw Problem.notFound(resource) }
        return id
    }
}
