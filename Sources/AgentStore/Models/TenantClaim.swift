/// Whom a statement that sets its own tenant runs for.
public enum TenantClaim: Sendable {
    /// A tenant the caller authenticated itself (a JSON Web Token, a console session).
    case tenant(UserID)
    /// A personal token, checked by the statement, which must allow `requiring`.
    case token(PresentedToken, requiring: TokenScope)

    /// The tenant claimed.
    public var userID: UserID {
        switch self {
        case .tenant(let userID): userID
        case .token(let token, _): token.userID
        }
    }

    /// How a transaction takes on the claimed tenant.
    var scope: TenantSession.Scope {
        switch self {
        case .tenant: .tenant
        case .token(let token, let required): .token(hash: token.hash, requiring: required)
        }
    }
}
