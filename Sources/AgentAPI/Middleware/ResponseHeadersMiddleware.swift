import HTTPTypes
import Hummingbird

/// Headers every API response carries: no content sniffing (a JSON body is never run as a page), and no
/// caching (answers hold a tenant's data, and a shared cache must not keep them).
struct ResponseHeadersMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
