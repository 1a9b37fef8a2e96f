import AgentStore
import Hummingbird
import Logging

/// Requires bearer credentials and runs the rest of the request as their user's tenant.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let userID = try await authenticator.user(for: request, requestID: context.requestID, logger: context.logger)
        context.userID = userID
        // The user id is not a secret; it ties log lines to the tenant.
        context.logger[metadataKey: "user_id"] = .string(userID.rawValue)
        return try await next(request, context)
    }
}
