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

    public init(name: String? = nil, service: String? = nil, apiKey: String? = nil, metadata: JSONValue?? = nil) {
        self.name = name
        self.service = service
        self.apiKey = apiKey
        self.metadata = metadata
    }

    func validate() throws(StoreError) {
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in try Field.optionalText(name, .name, length: 1...200) }
        try checks.check { () throws(StoreError) in try Field.optionalText(service, .service, length: 1...100) }
        try checks.check { () throws(StoreError) in try Field.optionalText(apiKey, .apiKey, length: 1...4096) }
        try checks.finish()
    }
}
