import Hummingbird

/// Refuses a query parameter that the operation does not declare in the contract, as a body member it does
/// not name is refused: a client's typo (`limt`), or a parameter of another listing's style (`after` on one
/// that pages by `cursor`), would otherwise be ignored without a word, and a paginator would read the first
/// page again and again.
///
/// A parameter given twice is refused too. The declared parameters are read from `openapi.yaml`
/// (``OpenAPIDocument/queryParameters``); a route the document does not describe (the console's) is not checked.
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
        let names = request.queryFields.pairs.map(\.name)
        let unknown = names.filter { !allowed.contains($0) }
        guard unknown.isEmpty else { throw Problem.unknownParameters(unknown, allowed: allowed) }
        // No parameter of the contract is a list: a second value (a URL builder that appended `limit` to a URL
        // that had one) would otherwise win or lose without a word.
        if names.count > 1, let repeated = Self.firstRepeated(names) {
            throw Problem.badRequest(fields: [.init(field: Problem.shownFieldName(repeated), reason: "is given more than once")])
        }
        return try await next(request, context)
    }

    /// The first name that `names` holds a second time; nil when each is there once.
    private static func firstRepeated(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }
}
