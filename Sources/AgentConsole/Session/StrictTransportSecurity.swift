import AgentAPI
import HTTPTypes
import Hummingbird

/// Tells a browser to reach this host over HTTPS only, for a year, on every response that went out over TLS
/// (decided as the cookies' `Secure` mark is: configured, or said by the proxy that ended TLS). A later
/// `http://` link or typed address is then upgraded before it leaves the browser, so the session's cookie is
/// never offered to a network attacker's redirect. Browsers ignore the header on a response over plain HTTP.
struct StrictTransportSecurity: RouterMiddleware {
    typealias Context = APIRequestContext

    static let value = "max-age=31536000"

    let settings: ConsoleSettings

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        if ConsoleCookies.secure(request, settings: settings) {
            response.headers[.strictTransportSecurity] = Self.value
        }
        return response
    }
}
