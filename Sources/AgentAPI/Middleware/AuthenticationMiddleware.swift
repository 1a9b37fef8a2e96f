import AgentStore
import Hummingbird
import Logging

/// Requires bearer credentials and runs the rest of the request as their user's tenant.
///
/// A request with a personal token is checked inside the transaction that serves it, so the check costs no
/// transaction of its own; see `RequestCredential`. Whatever the handler did without the database, its
/// answer is not sent until the token has passed: a response of a handler that did not reach the store,
/// and any error (a bad body included), wait for a check of their own, so bad credentials are a 401
/// before anything about the body.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let credential = try await authenticator.credential(
            for: request, deferringTokenCheck: true,
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
}
