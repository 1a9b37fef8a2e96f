import AgentAPI
import AgentStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Signs a console request in from its session cookie, and guards what changes state.
///
/// - No valid session: a page is redirected to the sign-in page; a call of the chat routes is a 401.
/// - A request that changes state must carry the session's CSRF token (`X-CSRF-Token`, or the form field
///   `_csrf`) and a session allowed to `write`; the tokens pages need `admin`, as `/v1/tokens` does.
/// - A page's failure is answered as a page, in the API's words; the chat routes answer problem documents.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let api: APIParts
    let pages: ConsolePages
    let settings: ConsoleSettings

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        // The matched route, not the raw path: the router ignores empty segments, so `//tokens` reaches the
        // tokens pages while a prefix test on the path would not see it and ask for too little a scope.
        let route = (context.endpointPath ?? request.uri.path).split(separator: "/")
        let callsAPI = route.starts(with: ["console", "api"])
        let secure = ConsoleCookies.secure(request, settings: settings)
        guard
            let value = ConsoleCookies.value(ConsoleCookies.session, in: request, secure: secure),
            let presented = PresentedConsoleSession(value)
        else { return try signedOut(request, callsAPI: callsAPI) }
        var request = request
        ConsoleCookies.dropSession(uncheckedWhere: secure, from: &request)
        let session: AuthenticatedToken?
        do {
            session = try await api.store.authenticate(presented, under: settings, requestID: context.requestID)
        } catch {
            // The database away: a page says so as a page; the chat routes answer their problem document.
            if callsAPI { throw error }
            return failure(error, request, context)
        }
        guard let user = session else {
            // A session presented and refused counts against its address as a bad token does: forged cookies
            // each cost a database check.
            context.credentialOutcome.noteRefused()
            return try signedOut(request, callsAPI: callsAPI, sessionEnded: true)
        }
        var context = context
        context.authenticate(as: user)
        let changesState = request.method != .get && request.method != .head
        let needed: TokenScope =
            route.first == "tokens" ? .admin : (changesState && route != ["signout"] ? .write : .read)
        guard user.scopes.allow(needed) else {
            if callsAPI { throw HTTPError(.forbidden, message: "This session's credential does not allow \(needed.rawValue).") }
            return refusal(
                .forbidden, "Not allowed", "This session's credential does not allow \(needed.rawValue).", request, context)
        }
        if changesState {
            var token = request.headers[Self.csrfHeader]
            if token == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                let buffer: ByteBuffer
                do {
                    buffer = try await request.body.collect(upTo: context.maxUploadSize)
                } catch {
                    // A form too large is refused as a page, as the page's own reading would refuse it.
                    if callsAPI { throw error }
                    return failure(error, request, context)
                }
                token = FormBody(String(buffer: buffer))["_csrf"]
                request.body = .init(buffer: buffer)
            }
            guard CSRFToken.matches(token, forSession: value) else {
                if callsAPI { throw HTTPError(.forbidden, message: "The CSRF token is missing or wrong.") }
                return refusal(
                    .forbidden, "Form expired", "The form is missing its CSRF token. Reload the page and try again.", request,
                    context)
            }
        }
        guard !callsAPI else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            return failure(error, request, context)
        }
    }

    /// Without a session, a page goes to the sign-in page, which leads back to it once signed in (a page
    /// read, not a form sent: what it sent is not kept); a chat route is a 401. A session that ended (unused
    /// too long, expired, signed out elsewhere) is said to have, and a form sent with it to be lost.
    private func signedOut(_ request: Request, callsAPI: Bool, sessionEnded: Bool = false) throws -> Response {
        if callsAPI { throw HTTPError(.unauthorized) }
        let isRead = request.method == .get || request.method == .head
        let asked = isRead ? ReturnPath(request.uri.description) : nil
        let path = asked?.signInPath ?? "/signin"
        guard sessionEnded else { return ConsolePages.redirect(to: path) }
        return ConsolePages.redirect(to: path + (asked == nil ? "?" : "&") + (isRead ? "ended=1" : "ended=form"))
    }

    /// A page's failure, as a page in the API's words, logged as the API logs its own.
    private func failure(_ error: any Error, _ request: Request, _ context: Context) -> Response {
        let refused = RefusedRequest(error, bodyLimit: context.maxUploadSize)
        api.logFailure(error, logger: context.logger)
        return refusal(HTTPResponse.Status(code: refused.status), refused.title, refused.detail, request, context)
    }

    private func refusal(
        _ status: HTTPResponse.Status, _ title: String, _ detail: String, _ request: Request, _ context: Context
    ) -> Response {
        pages.error(status, title: title, detail: detail, visit: try? ConsoleVisit(request, context: context))
    }
}
