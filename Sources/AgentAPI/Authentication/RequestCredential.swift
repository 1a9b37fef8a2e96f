import AgentStore
import Synchronization

/// Who a request says it is, and whether that has been checked yet.
///
/// A personal token names its user, so a bodiless request checks it inside the transaction that serves
/// it (one statement, no transaction of its own); `withTenant(of:)` records that it passed. Requests with
/// bodies, and JWTs, are checked before the handler runs.
enum RequestCredential: Sendable {
    /// Checked before the handler: a JWT, or a token checked on its own.
    case user(UserID)
    /// A personal token not checked yet; `check` records that a transaction found it valid.
    case token(PresentedToken, check: TokenCheck)

    var userID: UserID {
        switch self {
        case .user(let userID): userID
        case .token(let token, _): token.userID
        }
    }
}

/// Set once a transaction of the request has found its personal token valid.
final class TokenCheck: Sendable {
    private let state = Atomic(false)

    var passed: Bool { state.load(ordering: .acquiring) }

    func pass() { state.store(true, ordering: .releasing) }
}
