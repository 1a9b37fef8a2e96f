/// What went wrong in a store operation, in the platform's terms.
///
/// Descriptions name the field or resource and never carry stored values, so they are safe to log and
/// to show to clients.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The resource does not exist, or belongs to another tenant (the two are deliberately indistinguishable).
    case notFound(resource: String)
    /// The change collides with existing data, e.g. a duplicate email or a second link of the same pair.
    case conflict(field: StoreField, reason: String)
    /// A value breaks a rule of the platform.
    case invalid(field: StoreField, reason: String)
    /// Several values break rules of the platform, each named (never a single one: that is ``invalid(field:reason:)``).
    case invalidFields([FieldViolation])
    /// The operation needs a tenant context, an encryption key or a database that is not there.
    case unavailable(reason: String)
    /// The credentials presented are not valid (malformed, unknown or revoked token).
    case unauthenticated
    /// The credentials are valid, but their scopes do not allow what was asked.
    case forbidden(needing: TokenScope)
    /// The tenant's limits do not allow the call now.
    case limitExceeded(LimitExceeded)

    public var description: String {
        switch self {
        case .notFound(let resource): "\(resource) not found"
        case .conflict(let field, let reason): "conflict on \(field): \(reason)"
        case .invalid(let field, let reason): "invalid \(field): \(reason)"
        case .invalidFields(let violations): "invalid \(violations.map(\.description).joined(separator: "; "))"
        case .unavailable(let reason): "unavailable: \(reason)"
        case .unauthenticated: "the credentials are not valid"
        case .forbidden(let scope): "the credentials lack the \(scope.rawValue) scope"
        case .limitExceeded(let exceeded): exceeded.description
        }
    }
}
