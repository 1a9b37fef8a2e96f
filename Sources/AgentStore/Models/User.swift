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
        try checks.check { () throws(StoreError) in
            try Field.text(email, .email, length: 3...320)
            guard email.contains("@"), !email.contains(where: \.isWhitespace) else {
                throw .invalid(field: .email, reason: "must be an email address")
            }
        }
        try checks.check { () throws(StoreError) in
            try Field.optionalText(displayName, .displayName, length: 0...200)
        }
        try checks.finish()
    }
}
