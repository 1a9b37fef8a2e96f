import AgentStore
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
    /// `/ready`'s, which tells a schema taken down under this instance from a defect.
    let readiness: ReadinessProbe

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        // The limit travels with the context, where body decoding reads it; it is set here because this
        // middleware is also the one that reports it.
        context.maxUploadSize = bodyLimit
        do {
            return try await next(request, context)
        } catch {
            var problem = Problem(from: error, bodyLimit: bodyLimit)
            if problem.status == .internalServerError, let reason = await schemaBehind(error) {
                problem = .unavailable(reason, retryAfterSeconds: 2)
            }
            refusals.record(problem)
            failures.record(error, as: problem, logger: context.credentialOutcome.naming(context.logger))
            guard ChatCompletionsController.speaksOpenAI(request.uri.path) else { return problem.response() }
            return OpenAIError(problem).response()
        }
    }

    /// Why a failure that names a missing table, column or function is no defect, when the schema is not
    /// this version's (migrated down, or not yet up, under a running instance): a 503 to try again, as `/ready`
    /// says, which passes once the schema is up. With the schema current, the same SQL states are a defect
    /// (a typo in new SQL, an operator on the wrong types) and stay a 500 with their code in the log.
    private func schemaBehind(_ error: any Error) async -> String? {
        guard let code = DatabaseFailureCode.of(error), Self.schemaStates.contains(code),
            case .notMigrated(current: let current, expected: let expected) = await readiness.readiness()
        else { return nil }
        return "The database schema is at version \(current), not this version's \(expected) (SQLSTATE \(code)); "
            + "try again once it is migrated."
    }

    private static let schemaStates: Set<String> = ["42P01", "42703", "42883"]
}
