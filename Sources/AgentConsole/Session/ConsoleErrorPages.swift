import AgentAPI
import HTTPTypes
import Hummingbird

/// Answers a browser with a page where it would otherwise get the API's problem document: a request the
/// rate limits refused before any page ran (429), a path no route has (404), a method its route does not
/// take (405). The API's own paths (`/v1`, `/console/api`) and clients that do not ask for HTML keep the
/// problem document.
///
/// Added ahead of the console's routes: it wraps them, and the responder of unmatched requests.
struct ConsoleErrorPages: RouterMiddleware {
    typealias Context = APIRequestContext

    let pages: ConsolePages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            guard Self.wantsPage(request) else { throw error }
            let refused = RefusedRequest(error, bodyLimit: context.maxUploadSize)
            guard Self.answered.contains(refused.status) else { throw error }
            var response = pages.error(
                HTTPResponse.Status(code: refused.status), title: refused.title, detail: refused.detail, visit: nil)
            for name in [HTTPField.Name.retryAfter, .allow] {
                if let value = refused.headers[name] { response.headers[name] = value }
            }
            return response
        }
    }

    /// The statuses answered as pages here; any other error is the API's, or a page's own to answer.
    private static let answered: Set<Int> = [404, 405, 429]

    /// A browser's request (it accepts HTML) outside the API's own paths.
    static func wantsPage(_ request: Request) -> Bool {
        let segments = request.uri.path.split(separator: "/")
        guard segments.first != "v1", !segments.starts(with: ["console", "api"]) else { return false }
        return request.headers[values: .accept].contains { $0.contains("text/html") }
    }
}
