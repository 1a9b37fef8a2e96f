import HTTPTypes
import Hummingbird

/// Headers every API response carries: no content sniffing (a JSON body is never run as a page), and no
/// caching (answers hold a tenant's data, and a shared cache must not keep them) unless a route chose its
/// own (the console's content-addressed assets).
struct ResponseHeadersMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
