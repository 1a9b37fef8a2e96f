import AgentAPI
import AgentStore
import Hummingbird

/// A signed-in request of the console: who, what they may do, and the CSRF token their forms carry.
struct ConsoleVisit: Sendable {
    let userID: UserID
    let scopes: Set<TokenScope>
    let csrf: String

    /// The visit of a request that passed `ConsoleSessionMiddleware`; throws 401 for any other.
    init(_ request: Request, context: APIRequestContext) throws {
        guard let userID = context.authenticatedUser, let session = ConsoleCookies.admittedSession(in: request)
        else { throw HTTPError(.unauthorized) }
        self.userID = userID
        self.scopes = context.authenticatedScopes
        self.csrf = CSRFToken.masked(forSession: session)
    }
}
