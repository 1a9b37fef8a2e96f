/// One value that breaks a rule of the platform: which field, and why. A ``StoreError/invalidFields(_:)``
/// lists every one of a request's, so that a client fixes them in one round.
public struct FieldViolation: Sendable, Equatable, CustomStringConvertible {
    public let field: StoreField
    public let reason: String

    public init(field: StoreField, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
