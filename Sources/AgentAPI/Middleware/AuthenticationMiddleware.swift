import AgentStore
import Hummingbird
import Logging

/// Requires bearer credentials and runs the rest of the request as their user's tenant.
///
/// The scope a request needs follows from its route and method (`requiredScope`). A read with a personal
/// token is checked inside the transaction that serves it, so it costs no transaction of its own; see
/// `RequestCredential`. Whatever the handler did without the database, its answer is not sent until the
/// token has passed: a response of a handler that did not reach the store, and any error, wait for a
/// check of their own. Any other request is checked, scopes included, before its body is read, so a bad
/// body with bad credentials is a 401, not a 4xx about the body.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let credential = try await authenticator.credential(
            for: request, required: Self.requiredScope(request.method, route: context.endpointPath),
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

    /// What a request needs: `admin` for tokens (any method: a token that can list or mint tokens can
    /// widen itself) and for deleting the account, `read` for GET and HEAD, `write` for everything else.
    ///
    /// `route` is the matched route's pattern (this middleware runs after routing), so a path spelled
    /// differently (percent-encoded, a trailing slash) cannot dodge the rule.
    static func requiredScope(_ method: HTTPRequest.Method, route: String?) -> TokenScope {
        let components = (route ?? "").split(separator: "/")
        if components.starts(with: ["v1", "tokens"]) { return .admin }
        if components == ["v1", "me"], method == .delete { return .admin }
        return method == .get || method == .head ? .read : .write
    }
}
