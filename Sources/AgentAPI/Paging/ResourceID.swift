import Hummingbird

/// Checks of ids taken from paths and query strings before they reach the store.
enum ResourceID {
    /// Whether `value` could be an id at all: 1 to 200 characters, none of them control characters
    /// (PostgreSQL text cannot hold NUL, and no id of the platform has one).
    static func isPlausible(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        return (1...200).contains(scalars.count) && !scalars.contains { $0.properties.generalCategory == .control }
    }
}

extension APIRequestContext {
    /// The path parameter `name`; an implausible id names nothing, so it is a 404 like any unknown id.
    func id(_ name: String, of resource: String) throws -> String {
        guard let value = parameters.get(name), ResourceID.isPlausible(value) else { throw Problem.notFound(resource) }
        return value
    }
}
