import AgentStore
import Hummingbird
import Logging

/// Requires bearer credentials and runs the rest of the request as their user's tenant.
///
/// The scope a request needs follows from its route and method (`requiredScope`). A read with a personal
/// token, and the writes whose first effect is their store transaction (`checksInTransaction`), are
/// checked inside the transaction that serves them, scopes included, so they cost no transaction of
/// their own; see `RequestCredential`. Whatever the handler did without the database, its answer is not
/// sent until the token has passed: a response of a handler that did not reach the store, and any error
/// (a bad body among them), wait for a check of their own, so bad credentials are a 401 and missing
/// scopes a 403, never a 4xx about the body. Any other request is checked before its handler runs.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        let credential = try await authenticator.credential(
            for: request, required: Self.requiredScope(request.method, route: context.endpointPath),
            inTransaction: Self.checksInTransaction(request.method, route: context.endpointPath),
            requestID: context.requestID, logger: context.logger)
        context.credential = credential
        // The user id is not a secret; it ties log lines to the tenant. The outer lines name it only once
        // it is checked: a token not checked yet may name anyone's account.
        context.logger[metadataKey: "user_id"] = .string(credential.userID.rawValue)
        guard case .token(let token, let required, let check) = credential else {
            context.credentialOutcome.note(tenant: credential.userID)
            return try await next(request, context)
        }
        do {
            let response = try await next(request, context)
            // A 503 (the database away, met by a handler that answers its own errors) tells nothing of the
            // token, and a check would meet the same database: for a silent one, as long a wait again.
            if !check.passed, response.status != .serviceUnavailable {
                try await authenticator.check(token, required: required, requestID: context.requestID)
            }
            if check.passed || response.status != .serviceUnavailable {
                context.credentialOutcome.note(tenant: credential.userID)
            }
            return response
        } catch {
            // The same for a database met away, thrown: the request is a 503 whether or not its token is valid.
            let databaseAway = if case StoreError.unavailable = error { true } else { false }
            if !check.passed, !databaseAway {
                try await authenticator.check(token, required: required, requestID: context.requestID)
            }
            if check.passed || !databaseAway { context.credentialOutcome.note(tenant: credential.userID) }
            throw error
        }
    }

    /// Whether a personal token may wait for the request's first transaction to be checked: reads, and
    /// the writes whose handlers do nothing anyone could see before that transaction (they decode and
    /// validate their body, then store). A write with an effect outside the database (cancelling a
    /// running reply) or several first effects is checked before its handler runs.
    static func checksInTransaction(_ method: HTTPRequest.Method, route: String?) -> Bool {
        if method == .get || method == .head { return true }
        guard method == .post else { return false }
        let components = (route ?? "").split(separator: "/").map(String.init)
        return transactionalWrites.contains(components)
    }

    /// Posting a message, a reply, a regeneration and a chat completion: the platform's busiest writes.
    private static let transactionalWrites: Set<[String]> = [
        ["v1", "agents", "{agent_id}", "conversations", "{conversation_id}", "messages"],
        ["v1", "agents", "{agent_id}", "conversations", "{conversation_id}", "replies"],
        ["v1", "messages", "{message_id}", "regenerate"],
        ["v1", "chat", "completions"],
    ]

    /// What a request needs: `admin` for tokens (any method: a token that can list or mint tokens can
    /// widen itself) and for changing or deleting the account, `read` for GET and HEAD, `write` for everything
    /// else.
    ///
    /// `route` is the matched route's pattern (this middleware runs after routing), so a path spelled
    /// differently (percent-encoded, a trailing slash) cannot dodge the rule.
    static func requiredScope(_ method: HTTPRequest.Method, route: String?) -> TokenScope {
        let components = (route ?? "").split(separator: "/")
        if components.starts(with: ["v1", "tokens"]) { return .admin }
        if components == ["v1", "me"], method == .delete || method == .patch { return .admin }
        return method == .get || method == .head ? .read : .write
    }
}
