import AgentAPI
import AgentStore
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in with a personal token (or a JWT, where configured) and sign-out, which ends the session on the
/// server. `/` sends a visitor to the agents, or to sign-in when there is no valid session.
struct SignInController: Sendable {
    let api: APIParts
    let pages: ConsolePages
    let settings: ConsoleSettings

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("/", use: home)
        group.get("signin", use: form)
        group.post("signin", use: signIn)
    }

    func addSignOut(to group: RouterGroup<APIRequestContext>) {
        group.post("signout", use: signOut)
    }

    /// The model of `signin.mustache`.
    struct SignInPage: Sendable {
        let chrome: Chrome
        let csrf: String
        let acceptsJWT: Bool
        let error: String?
        /// The page to go back to once signed in (``ReturnPath``).
        let next: String?
        /// Shown after signing out.
        let signedOut: Bool
        /// Why the reader is asked to sign in again: their session ended (and what a form sent with it held).
        let ended: String?
    }

    /// What the sign-in page says of a session that ended, by the `ended` its redirect named.
    static func endedSession(_ ended: String?, idle: Duration) -> String? {
        let why =
            "Your session ended: it went unused for \(idle.components.seconds / 60) minutes, or it expired or was signed out."
        switch ended {
        case "1": return why + " Sign in again to go on."
        case "form": return why + " The form you sent was not kept: sign in, then fill it in again."
        default: return nil
        }
    }

    // MARK: Handlers

    @Sendable func home(_ request: Request, context: APIRequestContext) async throws -> Response {
        // With the database away the visitor goes to the sign-in page, which needs none to show.
        if let value = ConsoleCookies.value(
            ConsoleCookies.session, in: request, secure: ConsoleCookies.secure(request, settings: settings)),
            let presented = PresentedConsoleSession(value)
        {
            do {
                if try await api.store.authenticate(presented, under: settings, requestID: context.requestID) != nil {
                    return ConsolePages.redirect(to: "/agents")
                }
                // Refused: counted against the address as a bad token is (see `ConsoleSessionMiddleware`).
                context.credentialOutcome.noteRefused()
            } catch {
                // The database is away; the sign-in page says so.
            }
        }
        return ConsolePages.redirect(to: "/signin")
    }

    @Sendable func form(_ request: Request, context: APIRequestContext) async throws -> Response {
        render(
            request, error: nil, status: .ok, next: ReturnPath(request.queryFields["next"]),
            signedOut: request.queryFields["signed_out"] == "1",
            ended: Self.endedSession(request.queryFields["ended"], idle: settings.idleTimeout))
    }

    static let invalidCredential = "That token is not valid: it may be mistyped, expired or revoked."
    static let expiredCredential = "That token has expired: sign in with a new one."

    /// More than a sign-in form holds (a credential is at most a few kilobytes, a JWT included).
    static let formLimit = 64 * 1024

    @Sendable func signIn(_ request: Request, context: APIRequestContext) async throws -> Response {
        do {
            return try await signingIn(request, context: context)
        } catch {
            // A form too large, or the database away: said on the sign-in page, in the API's words.
            let refused = RefusedRequest(error, bodyLimit: Self.formLimit)
            api.logFailure(error, logger: context.logger)
            return render(request, error: refused.detail, status: HTTPResponse.Status(code: refused.status))
        }
    }

    private func signingIn(_ request: Request, context: APIRequestContext) async throws -> Response {
        let form = try await FormBody.read(request, limit: Self.formLimit)
        let next = ReturnPath(form["next"])
        let render = { (error: String, status: HTTPResponse.Status) in
            self.render(request, error: error, status: status, next: next)
        }
        // The form must echo the value of the cookie the sign-in page set: another site can make a browser
        // post this form, but cannot read or set that cookie.
        let secure = ConsoleCookies.secure(request, settings: settings)
        guard let expected = ConsoleCookies.value(ConsoleCookies.signIn, in: request, secure: secure),
            CSRFToken.matches(form["_csrf"], expected)
        else {
            return render("The sign-in form expired. Try again.", .forbidden)
        }
        guard let credential = form.text("credential"),
            let verified = try await api.credentials.verify(credential, requestID: context.requestID, logger: context.logger)
        else {
            return render(Self.invalidCredential, .unauthorized)
        }
        // A JWT is accepted up to a minute past its `exp`, for clocks that disagree; a session bounded by it
        // would have ended before it began.
        if let notAfter = verified.expiresAt, notAfter <= Date() {
            return render(Self.expiredCredential, .unauthorized)
        }
        try await endReplacedSession(request, secure: secure, context: context)
        let started: StartedConsoleSession
        do {
            started = try await api.store.withTenant(verified.user.userID, requestID: context.requestID) {
                try await $0.startConsoleSession(
                    scopes: verified.user.scopes, lifetime: settings.sessionLifetime, token: verified.token,
                    notAfter: verified.expiresAt)
            }
        } catch StoreError.notFound(resource: "token") {
            // Revoked or expired between its check and the session's start: as invalid as any other.
            return render(Self.invalidCredential, .unauthorized)
        }
        let maxAge = max(1, Int(started.expiresAt.timeIntervalSinceNow))
        var headers = HTTPFields()
        headers.append(
            .init(
                name: .setCookie,
                value: ConsoleCookies.setCookie(ConsoleCookies.session, value: started.value, maxAge: maxAge, secure: secure)))
        headers.append(
            .init(name: .setCookie, value: ConsoleCookies.setCookie(ConsoleCookies.signIn, value: "", maxAge: 0, secure: secure)))
        return ConsolePages.redirect(to: next?.path ?? "/agents", headers: headers)
    }

    /// Ends the session this browser held before it signed in again (as the same user or another): left,
    /// it would stay valid until it expired, to whoever had kept its cookie.
    private func endReplacedSession(_ request: Request, secure: Bool, context: APIRequestContext) async throws {
        guard let value = ConsoleCookies.value(ConsoleCookies.session, in: request, secure: secure),
            let presented = PresentedConsoleSession(value),
            let holder = try await api.store.authenticate(presented, under: settings, requestID: context.requestID)
        else { return }
        try await api.store.withTenant(holder.userID, requestID: context.requestID) { try await $0.endConsoleSession(presented) }
    }

    @Sendable func signOut(_ request: Request, context: APIRequestContext) async throws -> Response {
        let visit = try ConsoleVisit(request, context: context)
        if let value = ConsoleCookies.admittedSession(in: request), let presented = PresentedConsoleSession(value) {
            try await api.store.withTenant(visit.userID, requestID: context.requestID) {
                try await $0.endConsoleSession(presented)
            }
        }
        let cleared = ConsoleCookies.setCookie(
            ConsoleCookies.session, value: "", maxAge: 0, secure: ConsoleCookies.secure(request, settings: settings))
        return ConsolePages.redirect(to: "/signin?signed_out=1", headers: [.setCookie: cleared])
    }

    // MARK: Rendering

    /// The sign-in page, with a fresh double-submit value in its cookie and its form.
    private func render(
        _ request: Request, error: String?, status: HTTPResponse.Status, next: ReturnPath? = nil, signedOut: Bool = false,
        ended: String? = nil
    ) -> Response {
        let value = CSRFToken.random()
        let cookie = ConsoleCookies.setCookie(
            ConsoleCookies.signIn, value: value, maxAge: 3600, secure: ConsoleCookies.secure(request, settings: settings))
        let model = SignInPage(
            chrome: Chrome(title: "Sign in", section: .signIn, assets: pages.assets, visit: nil), csrf: value,
            acceptsJWT: api.configuration.jwt != nil, error: error, next: next?.path, signedOut: signedOut,
            ended: ended)
        return pages.page("signin", model, status: status, headers: [.setCookie: cookie])
    }
}
