import Hummingbird

/// Refuses a query parameter that the operation does not declare in the contract, as a body member it does
/// not name is refused: a client's typo (`limt`), or a parameter of another listing's style (`after` on one
/// that pages by `cursor`), would otherwise be ignored without a word, and a paginator would read the first
/// page again and again.
///
/// The declared parameters are read from `openapi.yaml` (``OpenAPIDocument/queryParameters``); a route the
/// document does not describe (the console's) is not checked.
struct QueryParameterMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let declared: [String: Set<String>]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard let query = request.uri.query, !query.isEmpty, let path = context.endpointPath else {
            return try await next(request, context)
        }
        // A HEAD is its GET's, as the document lists it.
        let method = request.method == .head ? "GET" : request.method.rawValue
        guard let allowed = declared[OpenAPIDocument.operation(method, path)] else { return try await next(request, context) }
        let unknown = request.queryFields.pairs.map(\.name).filter { !allowed.contains($0) }
        guard unknown.isEmpty else { throw Problem.unknownParameters(unknown, allowed: allowed) }
        return try await next(request, context)
    }
}
