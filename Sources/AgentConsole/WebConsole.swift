import AgentAPI
import Hummingbird

/// The web console: server-rendered pages over the same store operations as the API, served by the same
/// process at `/`. A visitor who is not signed in gets the sign-in page.
///
/// Pages post forms (they work without JavaScript). The chat page's script streams replies, and its Stop,
/// Regenerate, Retry and Copy buttons act, through the API's own chat routes, mounted under `/console/api`
/// behind the session cookie and its CSRF token.
public struct WebConsole: APICompanion {
    let settings: ConsoleSettings
    let pages: ConsolePages

    /// Throws if a template does not parse (a defect of the build, caught by the tests).
    public init(settings: ConsoleSettings = ConsoleSettings()) throws {
        self.settings = settings
        self.pages = try ConsolePages(settings: settings)
    }

    public func addRoutes(to router: Router<APIRequestContext>, api: APIParts) {
        // Outermost, so that the error pages get it too.
        router.add(middleware: StrictTransportSecurity(settings: settings))
        router.add(middleware: ConsoleErrorPages(pages: pages))
        pages.assets.addRoutes(to: router)
        // Pages share the API's rate limits; a failed sign-in (401), or a session cookie refused, counts against
        // its address as a bad token does.
        let settings = self.settings
        let limited = api.rateLimited(router.group()) { request in
            // By segments, as the router matches: `//signin` and `/signin/` reach the same form.
            (request.method == .post && request.uri.path.split(separator: "/") == ["signin"])
                || ConsoleCookies.value(
                    ConsoleCookies.session, in: request, secure: ConsoleCookies.secure(request, settings: settings)) != nil
        }
        SignInController(api: api, pages: pages, settings: settings).addRoutes(to: limited)

        let signedIn = limited.group().add(middleware: ConsoleSessionMiddleware(api: api, pages: pages, settings: settings))
        SignInController(api: api, pages: pages, settings: settings).addSignOut(to: signedIn)
        AgentPages(api: api, pages: pages).addRoutes(to: signedIn)
        ConnectionPages(api: api, pages: pages).addRoutes(to: signedIn)
        ChatPages(api: api, pages: pages).addRoutes(to: signedIn)
        SearchResultsPage(api: api, pages: pages).addRoutes(to: signedIn)
        UsagePage(api: api, pages: pages).addRoutes(to: signedIn)
        AuditPage(api: api, pages: pages).addRoutes(to: signedIn)
        RecentConversationsPage(api: api, pages: pages).addRoutes(to: signedIn)
        TokenPages(api: api, pages: pages).addRoutes(to: signedIn)
        api.addChatRoutes(to: signedIn.group("console/api"))
    }
}
