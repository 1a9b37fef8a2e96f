import AgentStore
import Hummingbird
import Logging

/// Requires bearer credentials and runs the rest of the request as their user's tenant.
///
/// A bodiless request with a personal token (a read, a delete) is checked inside the transaction that
/// serves it, so it costs no transaction of its own; see `RequestCredential`. Whatever the handler did
/// without the database, its answer is not sent until the token has passed: a response of a handler that
/// did not reach the store, and any error, wait for a check of their own.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let credential = try await authenticator.credential(
            for: request, deferringTokenCheck: !Self.mayHaveBody(request.method),
            requestID: context.requestID, logger: context.logger)
        context.credential = credential
        // The user id is not a secret; it ties log lines to the tenant.
        context.logger[metadataKey: "user_id"] = .string(credential.userID.rawValue)
        guard case .token(let token, let check) = credential else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            if !check.passed { try await authenticator.check(token, requestID: context.requestID) }
            return response
        } catch {
            if !check.passed { try await authenticator.check(token, requestID: context.requestID) }
            throw error
        }
    }

    /// Requests whose body is read before the store is reached: their token is checked first, so that a
    /// bad body with bad credentials is a 401, not a 4xx about the body.
    private static func mayHaveBody(_ method: HTTPRequest.Method) -> Bool {
        method != .get && method != .head && method != .delete && method != .options
    }
}
