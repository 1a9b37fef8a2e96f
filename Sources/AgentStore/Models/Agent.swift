import Foundation

/// An AI agent: a system prompt and model settings, owned by one tenant.
public struct Agent: Sendable, Equatable {
    public let id: AgentID
    public let userID: UserID
    public let name: String
    public let description: String?
    public let systemPrompt: String
    public let model: String
    public let temperature: Double
    public let maxTokens: Int?
    public let createdAt: Date
    public let updatedAt: Date
}

/// What it takes to create an agent; unset settings take the schema's defaults.
public struct NewAgent: Sendable {
    public var name: String
    public var description: String?
    public var systemPrompt: String
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int?

    public init(
        name: String, description: String? = nil, systemPrompt: String,
        model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil
    ) {
        self.name = name
        self.description = description
        self.systemPrompt = systemPrompt
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    /// Every rule the agent breaks, named at once (the store checks again as it creates the agent).
    public func validate() throws(StoreError) {
        try AgentChanges(
            name: name, description: .some(description), systemPrompt: systemPrompt, model: model,
            temperature: temperature, maxTokens: .some(maxTokens)
        ).validate()
    }
}

/// A partial update of an agent. `nil` leaves a field as it is; for the optional fields,
/// `.some(nil)` clears it.
public struct AgentChanges: Sendable {
    public var name: String?
    public var description: String??
    public var systemPrompt: String?
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int??

    /// Whether it changes nothing (an empty PATCH): the agent is left as it is, its `updated_at` included.
    var isEmpty: Bool {
        name == nil && description == nil && systemPrompt == nil && model == nil && temperature == nil && maxTokens == nil
    }

    public init(
        name: String? = nil, description: String?? = nil, systemPrompt: String? = nil,
        model: String? = nil, temperature: Double? = nil, maxTokens: Int?? = nil
    ) {
        self.name = name
        self.description = description
        self.systemPrompt = systemPrompt
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    func validate() throws(StoreError) {
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in try Field.optionalLabel(name, .name, length: 1...200) }
        try checks.check { () throws(StoreError) in
            try Field.optionalText(description ?? nil, .description, length: 0...2000)
        }
        try checks.check { () throws(StoreError) in
            try Field.optionalText(systemPrompt, .systemPrompt, length: 0...100_000)
        }
        try checks.check { () throws(StoreError) in try Field.optionalLabel(model, .model, length: 1...200) }
        try checks.check { () throws(StoreError) in
            if let temperature, !(0...2).contains(temperature) {
                throw .invalid(field: .temperature, reason: "must be between 0 and 2")
            }
        }
        try checks.check { () throws(StoreError) in
            if let maxTokens = maxTokens ?? nil, maxTokens <= 0 || maxTokens > Int(Int32.max) {
                throw .invalid(field: .maxTokens, reason: "must be a whole number from 1 to 2147483647")
            }
        }
        try checks.finish()
    }
}
