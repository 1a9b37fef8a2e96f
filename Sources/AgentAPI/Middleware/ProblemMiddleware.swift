import Hummingbird
import Logging

/// Turns every error into an `application/problem+json` response, so no failure reaches Hummingbird's
/// empty 500. Unknown errors are logged by type only: their descriptions may hold data.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let bodyLimit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        // The limit travels with the context, where body decoding reads it; it is set here because this
        // middleware is also the one that reports it.
        context.maxUploadSize = bodyLimit
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem(from: error, bodyLimit: bodyLimit)
            if problem.status.code >= 500 {
                context.logger.error(
                    "request failed", metadata: ["error_type": "\(type(of: error))", "status": "\(problem.status.code)"])
                context.logger.debug("request failure detail", metadata: ["error": "\(String(describing: error).prefix(500))"])
            }
            return problem.response()
        }
    }
}
