import Hummingbird
import Logging

/// Turns every error into an `application/problem+json` response, so no failure reaches Hummingbird's
/// empty 500, or into an OpenAI error object on the OpenAI-compatible routes, whose clients read that
/// shape whichever layer refused (authentication, the rate limits, the body limit). Server failures are
/// logged through ``FailedRequestLog``.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let bodyLimit: Int
    let failures: FailedRequestLog
    let refusals: RefusalCount

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
            refusals.record(problem)
            failures.record(error, as: problem, logger: context.credentialOutcome.naming(context.logger))
            guard ChatCompletionsController.speaksOpenAI(request.uri.path) else { return problem.response() }
            return OpenAIError(problem).response()
        }
    }
}
