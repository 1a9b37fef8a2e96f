import Foundation

/// A person using the platform; everything they create is their tenant's.
public struct User: Sendable, Equatable, Codable {
    public let id: UserID
    public let email: String
    public let displayName: String?
    public let createdAt: Date
    public let updatedAt: Date
}

/// What it takes to create a user.
/// A correction of the user's own record: each field given is set, `displayName` of `.some(nil)` clears it.
public struct UserChanges: Sendable, Equatable {
    public var email: String?
    public var displayName: String??

    public init(email: String? = nil, displayName: String?? = nil) {
        self.email = email
        self.displayName = displayName
    }

    /// The names of the fields it sets, as the audit log records them (never their values).
    var fieldNames: [String] {
        (email == nil ? [] : ["email"]) + (displayName == nil ? [] : ["display_name"])
    }

    func validate() throws(StoreError) {
        var checks = FieldChecks()
        if let email {
            try checks.check { () throws(StoreError) in try NewUser.checkEmail(email) }
        }
        if let displayName {
            try checks.check { () throws(StoreError) in try Field.optionalText(displayName, .displayName, length: 0...200) }
        }
        try checks.finish()
    }
}

public struct NewUser: Sendable {
    public var id: UserID?
    public var email: String
    public var displayName: String?

    public init(id: UserID? = nil, email: String, displayName: String? = nil) {
        self.id = id
        self.email = email
        self.displayName = displayName
    }

    func validate() throws(StoreError) {
        var checks = FieldChecks()
        try checks.check { () throws(StoreError) in try Self.checkEmail(email) }
        try checks.check { () throws(StoreError) in
            try Field.optionalText(displayName, .displayName, length: 0...200)
        }
        try checks.finish()
    }

    /// An email as every user's is checked: the database's own check holds more (one `@`, no control).
    static func checkEmail(_ email: String) throws(StoreError) {
        try Field.text(email, .email, length: 3...320)
        guard email.contains("@"), !email.contains(where: \.isWhitespace) else {
            throw .invalid(field: .email, reason: "must be an email address")
        }
    }
}
