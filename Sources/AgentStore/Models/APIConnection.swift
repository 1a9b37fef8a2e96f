import Foundation

/// A tenant's credentials for a third-party API. The key itself never leaves the store: only a hint
/// (service prefix and last four characters) and a fingerprint do.
public struct APIConnection: Sendable, Equatable {
    public let id: ConnectionID
    public let userID: UserID
    public let name: String
    public let service: String
    public let apiKeyHint: String
    public let apiKeyFingerprint: String
    public let metadata: JSONValue?
    public let createdAt: Date
    public let updatedAt: Date

    /// `metadata.base_url` when it is a string: where a chat connection's provider is reached instead of
    /// its public API.
    public var baseURL: String? {
        guard case .object(let members) = metadata, case .string(let url) = members["base_url"] else { return nil }
        return url
    }
}

/// What it takes to create a connection; `apiKey` is sealed before it is stored.
public struct NewAPIConnection: Sendable {
    public var name: String
    public var service: String
    public var apiKey: String
    public var metadata: JSONValue?

    public init(name: String, service: String, apiKey: String, metadata: JSONValue? = nil) {
        self.name = name
        self.service = service
        self.apiKey = apiKey
        self.metadata = metadata
    }

    func validate() throws(StoreError) {
        try APIConnectionChanges(name: name, service: service, apiKey: apiKey).validate()
    }
}

/// A partial update of a connection; `nil` leaves a field as it is, `metadata: .some(nil)` clears it.
public struct APIConnectionChanges: Sendable {
    public var name: String?
    public var service: String?
    public var apiKey: String?
    public var metadata: JSONValue??

    /// Whether it changes nothing (an empty PATCH): the connection is left as it is, its `updated_at` included.
    var isEmpty: Bool { name == nil && service == nil && apiKey == nil && metadata == nil }

    public init(name: String? = nil, service: String? = nil, apiKey: String? = nil, metadata: JSONValue?? = nil) {
        self.name = name
        self.service = service
        self.apiKey = apiKey
        self.metadata = metadata
    }

    /// Whether these changes would send `stored`'s key somewhere else: another service, or another
    /// `metadata.base_url` (one set, changed or removed).
    func movesKey(from stored: APIConnection) -> Bool {
        let service = self.service ?? stored.service
        let metadata = self.metadata ?? stored.metadata
        return service != stored.service || Self.baseURL(metadata) != Self.baseURL(stored.metadata)
    }

    private static func baseURL(_ metadata: JSONValue?) -> JSONValue? {
        guard case .object(let members) = metadata else { return nil }
        return members["base_url"]
    }

    func validate() throws(StoreError) {
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in try Field.optionalLabel(name, .name, length: 1...200) }
        try checks.check { () throws(StoreError) in try Field.optionalText(service, .service, length: 1...100) }
        try checks.check { () throws(StoreError) in try Field.optionalText(apiKey, .apiKey, length: 1...4096) }
        try checks.check { () throws(StoreError) in
            // Sent in a header, where one cannot go: every call would fail as if the provider were unreachable.
            if let apiKey, apiKey.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw .invalid(field: .apiKey, reason: "must not contain control characters (a pasted line break, say)")
            }
        }
        try checks.finish()
    }
}
