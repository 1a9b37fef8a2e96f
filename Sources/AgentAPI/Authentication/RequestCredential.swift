import AgentStore
import Synchronization

/// Who a request says it is, and whether that has been checked yet.
///
/// A personal token names its user, so a read, and a write whose handler's first effect is its store
/// transaction, check it inside the transaction that serves them (one statement, scopes included, no
/// transaction of its own); `withTenant(of:)` records that it passed. Every other request with a
/// personal token, and every JWT, is checked, scopes included, before the handler runs.
enum RequestCredential: Sendable {
    /// Checked before the handler: a JWT (every scope), or a token checked on its own with its scopes.
    case user(UserID, scopes: Set<TokenScope>)
    /// A personal token not checked yet, to be allowed `required`; `check` records that a transaction
    /// found it valid with that scope.
    case token(PresentedToken, required: TokenScope, check: TokenCheck)

    var userID: UserID {
        switch self {
        case .user(let userID, _): userID
        case .token(let token, _, _): token.userID
        }
    }
}

/// Set once a transaction of the request has found its personal token valid.
final class TokenCheck: Sendable {
    private let state = Atomic(false)

    var passed: Bool { state.load(ordering: .acquiring) }

    func pass() { state.store(true, ordering: .releasing) }
}
