import AgentAPI
import AgentConsole
import AgentStore
import AgentTestSupport
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PostgresNIO
import ProviderEmulator
import Testing

/// The web console's server side over HTTP: sessions in cookies, CSRF on every change, the API's
/// validation messages next to their fields, keys never shown, and one tenant's pages showing nothing of
/// another's. The browser walk (`Tests/Python/console_walk.py`, `ConsoleBrowserTests`) drives the same pages
/// in Chromium.
@Suite(.oneDatabase) struct ConsoleTests {
    let api: TestAPI

    init() async throws {
        var api = try await TestAPI.make()
        api.companions = [try WebConsole()]
        self.api = api
    }

    @Test func visitorsWithoutASessionAreSentToSignIn() async throws {
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            #expect(try await browser.request(.get, "/").headers[.location] == "/signin")
            // A page asked for is where signing in leads back to.
            for path in ["/agents", "/connections", "/usage", "/audit", "/tokens"] {
                let response = try await browser.request(.get, path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/signin?next=%2F\(path.dropFirst())", "\(path)")
            }
            let page = try await browser.request(.get, "/signin")
            #expect(page.status == .ok)
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(String(buffer: page.body).contains("<label for=\"credential\""))
            // The chat routes answer scripts, with problems rather than redirects.
            #expect(try await browser.request(.post, "/console/api/messages/x/cancel").status == .unauthorized)
        }
    }

    @Test func signInSetsAStrictHttpOnlyCookieAndSignOutEndsTheSessionOnTheServer() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            let bad = try await browser.signIn("ap_not-a-token")
            #expect(bad.status == .unauthorized)
            #expect(String(buffer: bad.body).contains("That token is not valid"))
            SecretCheck.expectAbsent("ap_not-a-token", in: String(buffer: bad.body))

            let signedIn = try await browser.signIn(owner.token)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/agents")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("ap_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            let session = try #require(browser.cookies["ap_session"])
            SecretCheck.expectAbsent(owner.token, in: session)

            let agents = try await browser.request(.get, "/agents")
            #expect(agents.status == .ok)
            let csrf = ConsoleBrowser.csrf(in: agents)
            #expect(!csrf.isEmpty)

            let signedOut = try await browser.request(.post, "/signout", form: ["_csrf": csrf])
            #expect(signedOut.headers[.location] == "/signin?signed_out=1")
            #expect(String(buffer: try await browser.request(.get, "/signin?signed_out=1").body).contains("You are signed out."))
            #expect(browser.cookies["ap_session"] == nil)
            // The old cookie, replayed (as a thief would), no longer works: the session ended on the server.
            let replayed = try await client.executeRequest(
                uri: "/agents", method: .get, headers: [.cookie: "ap_session=\(session)"], body: nil)
            #expect(replayed.status == .seeOther)
            #expect(replayed.headers[.location] == "/signin?next=%2Fagents&ended=1")
        }
    }

    /// Signing in after a session ended leads back to the page that was asked for, its query too; a `next`
    /// that is not a path of this site (another host, a URL) leads to the agents page, as none does.
    @Test func signingInLeadsBackToThePageAsked() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            let asked = try await browser.request(.get, "/search?q=harbour+walk")
            let signInPath = try #require(asked.headers[.location])
            #expect(signInPath == "/signin?next=%2Fsearch%3Fq%3Dharbour%2Bwalk")
            let page = try await browser.request(.get, signInPath)
            #expect(String(buffer: page.body).contains(#"<input type="hidden" name="next" value="/search?q=harbour+walk">"#))
            let signedIn = try await browser.request(
                .post, "/signin",
                form: ["_csrf": ConsoleBrowser.csrf(in: page), "credential": owner.token, "next": "/search?q=harbour+walk"])
            #expect(signedIn.headers[.location] == "/search?q=harbour+walk")
            // The search's words are in its title (escaped as any text of the page).
            let search = String(buffer: try await browser.request(.get, "/search?q=harbour+%3Cwalk%3E").body)
            #expect(search.contains("<title>Search: harbour &lt;walk&gt; · Agent Platform</title>"))

            for elsewhere in ["//evil.example/agents", "https://evil.example/", "/\\evil.example", "agents", "/a\nb"] {
                let other = ConsoleBrowser(client)
                let form = try await other.request(.get, "/signin?next=\(PathSegment.encoded(elsewhere))")
                #expect(!String(buffer: form.body).contains(#"name="next""#), "\(elsewhere)")
                let landed = try await other.request(
                    .post, "/signin",
                    form: ["_csrf": ConsoleBrowser.csrf(in: form), "credential": owner.token, "next": elsewhere])
                #expect(landed.headers[.location] == "/agents", "\(elsewhere)")
            }
        }
    }

    /// Served over TLS, both cookies are `Secure` and `__Host-` prefixed, and the console reads no cookie
    /// without the prefix: one planted by a sibling subdomain or over plain HTTP is ignored; every response
    /// says to come back over HTTPS only (`Strict-Transport-Security`). Behind a proxy,
    /// `X-Forwarded-Proto: https` makes them so too; over plain HTTP, neither.
    @Test func secureCookiesWhenTheConsoleIsServedOverTLS() async throws {
        let owner = try await api.makeUser()
        var secure = api
        secure.companions = [try WebConsole(settings: ConsoleSettings(secureCookies: true))]
        try await secure.test { client in
            let browser = ConsoleBrowser(client)
            let form = try await browser.request(.get, "/signin")
            let signInCookie = try #require(form.headers[values: .setCookie].first)
            #expect(signInCookie.hasPrefix("__Host-ap_signin=") && signInCookie.contains("; Secure"))
            // And the browser is told to come back over HTTPS only.
            #expect(form.headers[.strictTransportSecurity] == "max-age=31536000")
            let signedIn = try await browser.signIn(owner.token)
            #expect(signedIn.headers[.location] == "/agents")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.contains("ap_session=") })
            #expect(cookie.hasPrefix("__Host-ap_session=") && cookie.contains("; Secure") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Domain"))
            let session = try #require(browser.cookies["__Host-ap_session"])
            #expect(try await browser.request(.get, "/agents").status == .ok)
            // Error pages too.
            let missing = try await browser.request(.get, "/agents/01a24f05-31f6-7960-8d84-c0cece651835")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.strictTransportSecurity] == "max-age=31536000")
            // The same session under the unprefixed name is not read.
            let planted = try await client.executeRequest(
                uri: "/agents", method: .get, headers: [.cookie: "ap_session=\(session)"], body: nil)
            #expect(planted.headers[.location] == "/signin?next=%2Fagents")
            // Nor is a sign-in value planted without the prefix.
            let value = ConsoleBrowser.csrf(in: try await browser.request(.get, "/signin"))
            let posted = try await client.executeRequest(
                uri: "/signin", method: .post,
                headers: [.cookie: "ap_signin=\(value)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: ConsoleBrowser.encode(["_csrf": value, "credential": owner.token])))
            #expect(posted.status == .forbidden)
        }
        try await api.test { client in
            let proxied = try await client.executeRequest(
                uri: "/signin", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"], body: nil)
            #expect(proxied.headers[values: .setCookie].first?.hasPrefix("__Host-ap_signin=") == true)
            #expect(proxied.headers[.strictTransportSecurity] == "max-age=31536000")
            let plain = try await client.executeRequest(uri: "/signin", method: .get, headers: [:], body: nil)
            #expect(plain.headers[values: .setCookie].first?.hasPrefix("ap_signin=") == true)
            #expect(plain.headers[.strictTransportSecurity] == nil)
        }
    }

    /// The console with three failed authentications allowed per address, and hardly any refill.
    static func withThreeFailuresAllowed() async throws -> TestAPI {
        var made = try await TestAPI.make(rateLimits: RateLimits(failedAuthentications: .init(perSecond: 0.01, burst: 3)))
        made.companions = [try WebConsole()]
        return made
    }

    @Test func failedSignInsAreThrottledPerAddress() async throws {
        let api = try await Self.withThreeFailuresAllowed()
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let browser = ConsoleBrowser(client)
            for _ in 0..<3 { #expect(try await browser.signIn("ap_wrong.guess").status == .unauthorized) }
            // Even the right token waits now: guessing from this address has stopped paying.
            let blocked = try await browser.signIn(owner.token)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers[.retryAfter] != nil)
            // Said as a page, to a browser.
            #expect(blocked.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(browser.cookies["ap_session"] == nil)
        }
    }

    /// A browser that reaches a path no page has, or a page with a method it does not take, gets a page that
    /// says so; a client of the API, and the API's own paths, keep the problem document.
    @Test func unknownPathsAndMethodsAreAnsweredAsPages() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let agentID = try await client.createAgent(as: owner)
            let unknown = try await browser.request(.get, "/agents/\(agentID)/nope")
            #expect(unknown.status == .notFound && unknown.headers[.contentType]?.hasPrefix("text/html") == true)
            let wrongMethod = try await browser.request(.get, "/agents/\(agentID)/delete")
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(wrongMethod.headers[.allow]?.contains("POST") == true)
            let api = try await browser.request(.get, "/v1/nope")
            #expect(api.status == .notFound && api.headers[.contentType] == "application/problem+json")
            let curl = try await client.executeRequest(uri: "/agents/\(agentID)/nope", method: .get, headers: [:], body: nil)
            #expect(curl.status == .notFound && curl.headers[.contentType] == "application/problem+json")
        }
    }

    /// The navigation marks the section a page is in: its own page as the page (`aria-current="page"`), a page
    /// within it (an agent's) as in it (`"true"`), which a screen reader would otherwise read as the agents.
    @Test func theNavigationMarksTheSectionAndItsOwnPageApart() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let agentID = try await client.createAgent(as: owner)
            let list = String(buffer: try await browser.request(.get, "/agents").body)
            #expect(list.contains(#"<a href="/agents" aria-current="page">Agents</a>"#))
            // The new agent's form marks what must be given, for screen readers (the server's words say what is wrong).
            #expect(list.contains(#"<input id="name" name="name" value="" maxlength="200" required>"#))
            let agent = String(buffer: try await browser.request(.get, "/agents/\(agentID)").body)
            #expect(agent.contains(#"<a href="/agents" aria-current="true">Agents</a>"#))
            #expect(!agent.contains(#"aria-current="page""#))
            #expect(!agent.contains(#"<a href="/connections" aria-current"#))
        }
    }

    /// The console's routes and the API's share one allowance per address: failures spent on `/v1` are not
    /// given again at the sign-in form.
    @Test func theAPIsAndTheConsolesFailuresShareOneAllowance() async throws {
        let api = try await Self.withThreeFailuresAllowed()
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            for _ in 0..<3 {
                let refused = try await client.executeRequest(
                    uri: "/v1/me", method: .get, headers: [.authorization: "Bearer ap_wrong.guess"], body: nil)
                #expect(refused.status == .unauthorized)
            }
            let blocked = try await ConsoleBrowser(client).signIn(owner.token)
            #expect(blocked.status == .tooManyRequests)
        }
    }

    /// A session cookie refused (ended, forged) costs a database check as a bad token does, and counts
    /// against its address as one: pages send its visitor to sign in, without a 401 to count.
    @Test func refusedSessionCookiesCountAsFailedSignIns() async throws {
        let api = try await Self.withThreeFailuresAllowed()
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let ended = try #require(browser.cookies["ap_session"])
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
            try await browser.request(.post, "/signout", form: ["_csrf": csrf])
            for path in ["/agents", "/connections", "/"] {
                let visit = try await client.executeRequest(
                    uri: path, method: .get, headers: [.cookie: "ap_session=\(ended)"], body: nil)
                #expect(visit.status == .seeOther)
                #expect(visit.headers[.location] == (path == "/" ? "/signin" : "/signin?next=%2F\(path.dropFirst())&ended=1"))
            }
            // Three refusals used the allowance: the address waits now, whatever it sends.
            let blocked = try await client.executeRequest(uri: "/signin", method: .get, headers: [:], body: nil)
            #expect(blocked.status == .tooManyRequests)
        }
    }

    @Test func signInFormWithoutItsCookieValueIsRefused() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            let response = try await browser.request(.post, "/signin", form: ["_csrf": "guess", "credential": owner.token])
            #expect(response.status == .forbidden)
            #expect(browser.cookies["ap_session"] == nil)
        }
    }

    @Test func formPostsWithoutTheCSRFTokenChangeNothing() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let form = ["name": "Forged", "system_prompt": "p", "model": "m", "temperature": "0.5"]
            let missing = try await browser.request(.post, "/agents", form: form)
            #expect(missing.status == .forbidden)
            let wrong = try await browser.request(.post, "/agents", form: form.merging(["_csrf": "x"]) { $1 })
            #expect(wrong.status == .forbidden)
            let stream = try await browser.request(
                .post, "/console/api/messages/\(UUID())/cancel", headers: [ConsoleBrowserHeaders.csrf: "x"])
            #expect(stream.status == .forbidden)
            #expect(try stream.decode(Schemas.Problem.self).detail == "The CSRF token is missing or wrong.")
            let agents = try await api.db.store.withTenant(owner.id) { try await $0.agents(PageRequest(order: .ascending)) }
            #expect(agents.items.isEmpty)

            let page = try await browser.request(.get, "/agents")
            let created = try await browser.request(
                .post, "/agents", form: form.merging(["_csrf": ConsoleBrowser.csrf(in: page)]) { $1 })
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(String(buffer: try await browser.request(.get, location).body).contains("Forged"))
        }
    }

    /// Each page carries the session's CSRF token masked afresh, so no two responses hold the same bytes
    /// (a compressed page's length then tells nothing of it); every masking works, while a token of another
    /// session, or one with a byte changed, does not.
    @Test func eachPageCarriesTheCSRFTokenMaskedAfresh() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let otherBrowser = ConsoleBrowser(client)
            try await otherBrowser.signIn(other.token)
            let tokens = [
                ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents")),
                ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents")),
            ]
            #expect(tokens[0] != tokens[1] && !tokens[0].isEmpty)
            let form = ["name": "Masked", "system_prompt": "p", "model": "m", "temperature": "0.5"]
            for token in tokens {
                let created = try await browser.request(.post, "/agents", form: form.merging(["_csrf": token]) { $1 })
                #expect(created.status == .seeOther)
            }
            let othersToken = ConsoleBrowser.csrf(in: try await otherBrowser.request(.get, "/agents"))
            var altered = Array(tokens[0])
            altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
            for token in [othersToken, String(altered), String(tokens[0].dropLast(2))] {
                let refused = try await browser.request(.post, "/agents", form: form.merging(["_csrf": token]) { $1 })
                #expect(refused.status == .forbidden, "\(token)")
            }
            let agents = try await api.db.store.withTenant(owner.id) { try await $0.agents(PageRequest(order: .ascending)) }
            #expect(agents.items.count == 2)
        }
    }

    @Test func validationMessagesAreTheAPIsAndSitNextToTheirFields() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
            let hot = try await browser.request(
                .post, "/agents", form: ["_csrf": csrf, "name": "Hot", "system_prompt": "p", "temperature": "5"])
            #expect(hot.status == .unprocessableContent)
            let html = String(buffer: hot.body)
            #expect(html.contains("<p class=\"error\" id=\"temperature-error\">must be between 0 and 2</p>"))
            #expect(html.contains("aria-describedby=\"temperature-error\""))
            #expect(html.contains("value=\"Hot\""), "what was typed stays")
            let apiAnswer = try await client.send(
                .post, "/v1/agents", as: owner, json: ["name": "Hot", "system_prompt": "p", "temperature": 5])
            #expect(try apiAnswer.problem().errors?.first?.reason == "must be between 0 and 2")

            let nameless = try await browser.request(.post, "/agents", form: ["_csrf": csrf, "name": "", "system_prompt": "p"])
            #expect(String(buffer: nameless.body).contains("id=\"name-error\""))
            let notANumber = try await browser.request(
                .post, "/agents", form: ["_csrf": csrf, "name": "n", "system_prompt": "p", "max_tokens": "many"])
            #expect(String(buffer: notANumber.body).contains("<p class=\"error\" id=\"max_tokens-error\">must be an integer</p>"))
            // Every fault at once: a value that is no number does not hide the others.
            let all = String(
                buffer: try await browser.request(
                    .post, "/agents",
                    form: ["_csrf": csrf, "name": "", "system_prompt": "p", "temperature": "hot", "max_tokens": "-5"]
                ).body)
            #expect(all.contains("id=\"temperature-error\">must be a number</p>"))
            #expect(all.contains("id=\"name-error\""))
            #expect(all.contains("id=\"max_tokens-error\""))
        }
    }

    @Test func connectionKeysAreWriteOnly() async throws {
        let owner = try await api.makeUser()
        let key = "sk-console-\(UUID().uuidString)"
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/connections"))
            let created = try await browser.request(
                .post, "/connections", form: ["_csrf": csrf, "name": "Main", "service": "openai", "api_key": key])
            #expect(created.status == .seeOther)
            let page = try await browser.request(.get, try #require(created.headers[.location]))
            let html = String(buffer: page.body)
            #expect(html.contains("Main"))
            #expect(html.contains(String(key.suffix(4))), "the hint")
            SecretCheck.expectAbsent(key, in: html)
            SecretCheck.expectAbsent(key, in: String(buffer: try await browser.request(.get, "/connections").body))

            // A base URL on a private address is refused as the API refuses it, and the key typed is not echoed.
            let refused = try await browser.request(
                .post, "/connections",
                form: ["_csrf": csrf, "name": "Local", "service": "openai", "api_key": key, "base_url": "http://10.0.0.1/v1"])
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("id=\"base_url-error\""))
            SecretCheck.expectAbsent(key, in: String(buffer: refused.body))
        }
    }

    @Test func anotherTenantsPagesShowNothingOfTheFirst() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        let (agent, connection) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Owner's secret agent", systemPrompt: "p"))
            let connection = try await session.createConnection(
                NewAPIConnection(name: "Owner's key", service: "openai", apiKey: "sk-test-owner-0123456789abcdef"))
            try await session.attachConnection(agentID: agent.id, connectionID: connection.id)
            return (agent, connection)
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(other.token)
            #expect(!String(buffer: try await browser.request(.get, "/agents").body).contains("Owner's secret agent"))
            let foreign = try await browser.request(.get, "/agents/\(agent.id.rawValue)")
            #expect(foreign.status == .notFound)
            #expect(!String(buffer: foreign.body).contains("Owner's secret agent"))
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
            // Linking the owner's linked pair is not found, as linking an unlinked one is: no answer tells
            // whether another tenant's link exists.
            let link = try await browser.request(
                .post, "/agents/\(agent.id.rawValue)/links", form: ["_csrf": csrf, "connection_id": connection.id.rawValue])
            #expect(link.status == .notFound)
            let delete = try await browser.request(.post, "/agents/\(agent.id.rawValue)/delete", form: ["_csrf": csrf])
            #expect(delete.status == .notFound)
            let still = try await api.db.store.withTenant(owner.id) { try await $0.agent(agent.id) }
            #expect(still.name == "Owner's secret agent")
        }
    }

    @Test func aConversationCanBeRenamedAndDeletedFromItsPageAndOnlyByItsOwner() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        let agent = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "Chatty", systemPrompt: "p"))
        }
        let conversation = try await api.db.store.withTenant(owner.id) {
            try await $0.createConversation(agentID: agent.id, NewConversation(title: "To forget"))
        }
        let path = "/agents/\(agent.id.rawValue)/conversations/\(conversation.id.rawValue)"
        try await api.test { client in
            let stranger = ConsoleBrowser(client)
            try await stranger.signIn(other.token)
            let strangerCSRF = ConsoleBrowser.csrf(in: try await stranger.request(.get, "/agents"))
            #expect(try await stranger.request(.post, "\(path)/delete", form: ["_csrf": strangerCSRF]).status == .notFound)

            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = try await browser.request(.get, path)
            #expect(String(buffer: page.body).contains("id=\"delete-conversation\""))
            let csrf = ConsoleBrowser.csrf(in: page)
            let renamed = try await browser.request(.post, "\(path)/rename", form: ["_csrf": csrf, "title": "Kept for now"])
            #expect(renamed.status == .seeOther)
            #expect(String(buffer: try await browser.request(.get, path).body).contains("Kept for now"))
            #expect(
                try await browser.request(.post, "\(path)/rename", form: ["_csrf": csrf, "title": ""]).status
                    == .unprocessableContent)
            let deleted = try await browser.request(.post, "\(path)/delete", form: ["_csrf": csrf])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers[.location] == "/agents/\(agent.id.rawValue)?done=conversation-deleted#conversations-heading")
            #expect(try await browser.request(.get, path).status == .notFound)
        }
    }

    /// An untitled conversation is headed as such where the platform chose its id (a generated id means
    /// nothing to a reader) and by its id where the client chose one; its Rename field starts empty, and a
    /// title of spaces alone is refused.
    @Test func untitledConversationsAreHeadedByWhatTheyAre() async throws {
        let owner = try await api.makeUser()
        let (agent, generated) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Chatty", systemPrompt: "p"))
            return (agent, try await session.createConversation(agentID: agent.id, NewConversation()))
        }
        let chosen = try await api.db.store.withTenant(owner.id) {
            try await $0.createConversation(agentID: agent.id, NewConversation(id: ConversationID(rawValue: "standup-notes")))
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let path = "/agents/\(agent.id.rawValue)/conversations/\(generated.id.rawValue)"
            let page = try await browser.request(.get, path)
            let html = String(buffer: page.body)
            #expect(html.contains(#"<h1 id="conversation-title" dir="auto">Untitled conversation</h1>"#))
            #expect(html.contains(#"<input id="title" name="title" value="" required maxlength="200" dir="auto">"#))
            let named = try await browser.request(.get, "/agents/\(agent.id.rawValue)/conversations/\(chosen.id.rawValue)")
            #expect(String(buffer: named.body).contains(#"<h1 id="conversation-title" dir="auto">standup-notes</h1>"#))
            let agentPage = String(buffer: try await browser.request(.get, "/agents/\(agent.id.rawValue)").body)
            #expect(agentPage.contains(">Untitled conversation</a>") && !agentPage.contains(">\(generated.id.rawValue)</a>"))
            let blank = try await browser.request(
                .post, "\(path)/rename", form: ["_csrf": ConsoleBrowser.csrf(in: page), "title": "   "])
            #expect(blank.status == .unprocessableContent)
        }
    }

    /// Every conversation with every agent, the latest first, 50 a page, where the agents page's eight
    /// recent ones lead on; a chat page leads to a new conversation with its agent.
    @Test func allConversationsArePagedAcrossAgents() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        let agents = try await api.db.store.withTenant(owner.id) { session in
            var agents: [Agent] = []
            for name in ["Alpha", "Beta"] {
                let agent = try await session.createAgent(NewAgent(name: name, systemPrompt: "p"))
                for index in 1...26 {
                    _ = try await session.appendMessage(
                        agentID: agent.id, conversationID: ConversationID(rawValue: "\(name)-\(index)")!,
                        NewMessage(role: .user, content: "\(name) \(index)"))
                }
                agents.append(agent)
            }
            return agents
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            #expect(String(buffer: try await browser.request(.get, "/agents").body).contains(#"href="/conversations""#))
            let first = String(buffer: try await browser.request(.get, "/conversations").body)
            #expect(first.contains(">Beta 26</a>") && first.contains(">Alpha 3</a>") && !first.contains(">Alpha 2</a>"))
            let older = try #require(first.firstMatch(of: /href="(\/conversations\?cursor=[^"]+)" id="older-conversations"/))
            let second = String(buffer: try await browser.request(.get, String(older.1)).body)
            #expect(second.contains(">Alpha 1</a>") && second.contains(">Alpha 2</a>") && !second.contains(">Alpha 3</a>"))
            #expect(!second.contains("id=\"older-conversations\""))
            #expect(try await browser.request(.get, "/conversations?cursor=not-a-cursor").status == .badRequest)

            let chat = try await browser.request(.get, "/agents/\(agents[0].id.rawValue)/conversations/Alpha-3")
            #expect(String(buffer: chat.body).contains(#"href="/agents/\#(agents[0].id.rawValue)/new-conversation""#))

            let stranger = ConsoleBrowser(client)
            try await stranger.signIn(other.token)
            #expect(!String(buffer: try await stranger.request(.get, "/conversations").body).contains("Alpha"))
        }
    }

    /// A new conversation is a page of an id not stored yet: opening it (or reloading it, which gives
    /// another id) stores nothing, a first message refused stores nothing either, and the first message
    /// answered stores the conversation and leads to it.
    @Test func aNewConversationIsStoredWithItsFirstMessage() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let unlinked = try await api.db.store.withTenant(owner.id) {
                    try await $0.createAgent(NewAgent(name: "Unlinked", systemPrompt: "p")).id.rawValue
                }
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let conversations = { @Sendable in
                    try await api.db.store.withTenant(owner.id) {
                        try await $0.recentConversations(limit: 10, after: nil).items.count
                    }
                }
                let agentPage = String(buffer: try await browser.request(.get, "/agents/\(chat.agentID)").body)
                #expect(
                    agentPage.contains(
                        #"<a href="/agents/\#(chat.agentID)/new-conversation" class="button" id="new-conversation">"#))
                /// The new page's message form: where it posts, and its CSRF token.
                func newPage(_ agent: String) async throws -> (path: String, csrf: String, html: String) {
                    let page = try await browser.request(.get, "/agents/\(agent)/new-conversation")
                    #expect(page.status == .ok)
                    let html = String(buffer: page.body)
                    let path = try #require(html.firstMatch(of: /data-unstored="([^"]+)"/)).1
                    #expect(path.wholeMatch(of: /\/agents\/[^\/]+\/conversations\/[0-9a-f-]{36}/) != nil)
                    return (String(path), ConsoleBrowser.csrf(in: page), html)
                }
                let first = try await newPage(chat.agentID)
                #expect(first.html.contains(#"<form method="post" action="\#(first.path)/messages" id="composer""#))
                #expect(first.html.contains(#"<h1 id="conversation-title" dir="auto">New conversation</h1>"#))
                // What needs the conversation stored waits for its first message.
                #expect(first.html.contains(#"<details class="rename" hidden data-until-stored>"#))
                #expect(first.html.contains(#"class="danger" hidden data-until-stored"#))
                #expect(try await newPage(chat.agentID).path != first.path)
                #expect(try await conversations() == 0)
                #expect(try await browser.request(.get, first.path).status == .notFound)

                let refused = try await newPage(unlinked)
                let noConnection = try await browser.request(
                    .post, "\(refused.path)/messages", form: ["_csrf": refused.csrf, "content": "hello?"])
                #expect(noConnection.status == .unprocessableContent)
                #expect(try await conversations() == 0)

                let sent = try await browser.request(
                    .post, "\(first.path)/messages", form: ["_csrf": first.csrf, "content": "Plan the harbour walk"])
                #expect(sent.status == .seeOther)
                #expect(sent.headers[.location]?.hasPrefix("\(first.path)?through=") == true)
                #expect(try await conversations() == 1)
                let stored = String(buffer: try await browser.request(.get, first.path).body)
                #expect(stored.contains(#"<h1 id="conversation-title" dir="auto">Plan the harbour walk</h1>"#))
                #expect(!stored.contains("data-unstored") && !stored.contains("data-until-stored"))
            }
        }
    }

    /// A connection's page names the agents that may use its key, each linked to its page.
    @Test func aConnectionsPageNamesItsAgents() async throws {
        let owner = try await api.makeUser()
        let (connection, agent) = try await api.db.store.withTenant(owner.id) { session in
            let connection = try await session.createConnection(
                NewAPIConnection(name: "Shared key", service: "openai", apiKey: "sk-test-shared-0123456789abcdef"))
            let unused = try await session.createConnection(
                NewAPIConnection(name: "Spare key", service: "openai", apiKey: "sk-test-spare-0123456789abcdef"))
            let agent = try await session.createAgent(NewAgent(name: "Helper", systemPrompt: "p"))
            try await session.attachConnection(agentID: agent.id, connectionID: connection.id)
            return ([connection.id.rawValue, unused.id.rawValue], agent.id.rawValue)
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let used = String(buffer: try await browser.request(.get, "/connections/\(connection[0])").body)
            #expect(used.contains(#"<a href="/agents/\#(agent)" dir="auto">Helper</a>"#), "\(used)")
            let spare = String(buffer: try await browser.request(.get, "/connections/\(connection[1])").body)
            #expect(spare.contains("no agent yet"))
        }
    }

    /// A page through a message far back in a long conversation (a search's hit) shows it, a few messages
    /// before it, and the way on, where it showed the newest 100 without it; going on from there leads to
    /// the end, where the composer is. Earlier messages open at the message before the page left.
    @Test func aPageThroughAnOldMessageShowsIt() async throws {
        let owner = try await api.makeUser()
        let (agentID, ids) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Long", systemPrompt: "p"))
            var ids: [String] = []
            for index in 1...130 {
                let role: Message.Role = index.isMultiple(of: 2) ? .assistant : .user
                ids.append(
                    try await session.appendMessage(
                        agentID: agent.id, conversationID: ConversationID(rawValue: "long")!,
                        NewMessage(role: role, content: "Message number \(index)")
                    ).id.rawValue)
            }
            return (agent.id.rawValue, ids)
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let path = "/agents/\(agentID)/conversations/long"
            let third = String(buffer: try await browser.request(.get, "\(path)?through=\(ids[2])").body)
            #expect(third.contains("id=\"message-\(ids[2])\"") && third.contains("id=\"message-\(ids[0])\""))
            #expect(!third.contains("id=\"message-\(ids[129])\"") && !third.contains("id=\"composer\""))
            // To the 94th message after it (room for five before, on a page of 100), and on from there.
            #expect(third.contains("id=\"message-\(ids[96])\"") && !third.contains("id=\"message-\(ids[97])\""))
            #expect(third.contains("href=\"\(path)?through=\(ids[96])#message-\(ids[96])\" id=\"later-messages\""))
            let on = String(buffer: try await browser.request(.get, "\(path)?through=\(ids[96])").body)
            #expect(on.contains("id=\"message-\(ids[96])\"") && on.contains("id=\"message-\(ids[129])\""))
            #expect(on.contains("id=\"composer\"") && !on.contains("id=\"later-messages\""))
            // The newest page's way back opens the earlier page at its last message.
            let newest = String(buffer: try await browser.request(.get, path).body)
            #expect(newest.contains("href=\"\(path)?at=\(ids[29])#message-\(ids[29])\""))
            // Far back, five messages come before the one shown.
            let tenth = String(buffer: try await browser.request(.get, "\(path)?through=\(ids[9])").body)
            #expect(tenth.contains("id=\"message-\(ids[4])\"") && !tenth.contains("id=\"message-\(ids[3])\""))
            #expect(tenth.contains("id=\"message-\(ids[103])\"") && !tenth.contains("id=\"message-\(ids[104])\""))
        }
    }

    /// A reply's Markdown is shown rendered, on the page and through the route the page's script reads
    /// when a reply ends; what the user typed is shown as typed. Another tenant reads neither.
    @Test func repliesShowTheirMarkdownAndMessagesShowWhatWasTyped() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        let (agent, reply) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Coder", systemPrompt: "p"))
            let conversation = ConversationID(rawValue: "code")!
            _ = try await session.appendMessage(
                agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "**not bold** <b>"))
            let reply = try await session.appendMessage(
                agentID: agent.id, conversationID: conversation,
                NewMessage(role: .assistant, content: "Use **this**:\n```swift\nlet a = [1] <b>\n```\n[x](javascript:alert(1))"))
            return (agent, reply)
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = String(buffer: try await browser.request(.get, "/agents/\(agent.id.rawValue)/conversations/code").body)
            #expect(page.contains("<div class=\"content\" dir=\"auto\">**not bold** &lt;b&gt;</div>"))
            let rendered =
                "Use <strong>this</strong>:</p>\n<pre><code class=\"language-swift\">let a = [1] &lt;b&gt;\n</code></pre>\n<p>x</p>"
            #expect(page.contains("<div class=\"content markdown\" dir=\"auto\"><p>\(rendered)"), "\(page)")
            #expect(!page.contains("javascript:"))

            let content = try await browser.request(.get, "/messages/\(reply.id.rawValue)/content")
            #expect(content.status == .ok)
            #expect(content.headers[.contentType] == "text/html; charset=utf-8")
            #expect(content.headers[.cacheControl] == "no-store")
            #expect(content.headers[HTTPField.Name("Content-Security-Policy")!] != nil)
            #expect(String(buffer: content.body) == "<p>\(rendered)\n")

            let stranger = ConsoleBrowser(client)
            try await stranger.signIn(other.token)
            let foreign = try await stranger.request(.get, "/messages/\(reply.id.rawValue)/content")
            #expect(foreign.status == .notFound)
            #expect(!String(buffer: foreign.body).contains("this"))
            let anonymous = try await ConsoleBrowser(client).request(.get, "/messages/\(reply.id.rawValue)/content")
            #expect(anonymous.status == .seeOther)
        }
    }

    /// While a reply runs on this instance, the route renders its text so far, which the page's script
    /// shows in place of the plain pieces; for a reply stored `streaming` that no generation here runs (it
    /// runs on another instance) it answers 204, and the script keeps the pieces as they come.
    @Test func aRunningReplysContentIsItsTextSoFarRendered() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let words = String(repeating: "word ", count: 40)
                let (replyID, streaming) = try await chat.slowReply(client, owner, text: "**bold** \(words)")
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                var body = ""
                for _ in 0..<400 where !body.contains("<strong>bold</strong>") {
                    try await Task.sleep(for: .milliseconds(20))
                    let content = try await browser.request(.get, "/messages/\(replyID)/content")
                    #expect(content.status == .ok)
                    body = String(buffer: content.body)
                }
                // Rendered while it still ran: most of the 40 pieces were yet to come.
                #expect(body.hasPrefix("<p><strong>bold</strong>"))
                let stored = try await api.db.store.withTenant(owner.id) {
                    try await $0.message(try #require(MessageID(rawValue: replyID)))
                }
                #expect(stored.status == .streaming)
                _ = try await streaming.value

                let elsewhere = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
                let notHere = try await browser.request(.get, "/messages/\(elsewhere.reply.id.rawValue)/content")
                #expect(notHere.status == .noContent)
                #expect(notHere.body.readableBytes == 0)
                // While it runs, its Regenerate is off (a second reply would run beside it, paid for too).
                let page = String(buffer: try await browser.request(.get, "/agents/\(chat.agentID)/conversations/c1").body)
                let id = elsewhere.reply.id.rawValue
                #expect(page.contains(#"data-action="regenerate" data-message="\#(id)" aria-disabled="true">"#), "\(page)")
                // Nor is it rated while it runs: half of it is not what a rating would be of.
                #expect(!page.contains(#"action="/messages/\#(id)/feedback""#))
            }
        }
    }

    /// A reply says which connection answered it: the fallback, where the first linked one failed before
    /// its first token.
    @Test func aReplySaysWhichConnectionAnsweredIt() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=503", baseURL])
                let path = "/agents/\(chat.agentID)/conversations/fallback"
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
                let sent = try await browser.request(.post, "\(path)/messages", form: ["_csrf": csrf, "content": "hello"])
                let location = try #require(sent.headers[.location])
                let reply = String(location.dropFirst("\(path)?through=".count).prefix { $0 != "#" })
                try await chat.waitUntilEnded(reply, in: api.db.store, of: owner)
                let page = String(buffer: try await browser.request(.get, path).body)
                #expect(page.contains(" · via provider 1 · "), "\(page)")
                #expect(!page.contains("via provider 0"))
            }
        }
    }

    /// The agent page lists its connections in the order replies try them, each after the first with a
    /// button that tries it one place earlier; the first has none, and moving it changes nothing.
    @Test func aConnectionMovesUpInTheOrderRepliesTry() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL, baseURL, baseURL])
                let (first, second, third) = (chat.connectionIDs[0], chat.connectionIDs[1], chat.connectionIDs[2])
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let agentPage = "/agents/\(chat.agentID)"
                func moveUp(_ id: String) -> String { "\(agentPage)/links/\(id)/move-up" }
                let page = String(buffer: try await browser.request(.get, agentPage).body)
                #expect(!page.contains(moveUp(first)) && page.contains(moveUp(second)) && page.contains(moveUp(third)))
                let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, agentPage))
                func order() async throws -> [String] {
                    try await api.db.store.withTenant(owner.id) {
                        try await $0.connectionOrder(ofAgent: AgentID(rawValue: chat.agentID)!)
                    }.map(\.rawValue)
                }

                let moved = try await browser.request(.post, moveUp(third), form: ["_csrf": csrf])
                #expect(moved.status == .seeOther && moved.headers[.location] == "\(agentPage)#connections")
                #expect(try await order() == [first, third, second])
                let after = String(buffer: try await browser.request(.get, agentPage).body)
                #expect(!after.contains(moveUp(first)) && after.contains(moveUp(second)))
                let names = ["provider 0", "provider 2", "provider 1"].compactMap { after.range(of: ">\($0)</a>")?.lowerBound }
                #expect(names.count == 3 && names == names.sorted(), "listed in the order replies try them")

                #expect(try await browser.request(.post, moveUp(third), form: ["_csrf": csrf]).status == .seeOther)
                #expect(try await browser.request(.post, moveUp(third), form: ["_csrf": csrf]).status == .seeOther)
                #expect(try await order() == [third, first, second])
                #expect(try await browser.request(.post, moveUp("not-linked"), form: ["_csrf": csrf]).status == .notFound)
                #expect(try await browser.request(.post, moveUp(first), form: [:]).status == .forbidden, "no CSRF token")
                #expect(try await order() == [third, first, second])
            }
        }
    }

    /// A message edited and sent again, without script, is a new version beside the first: the page shows
    /// the thread of the newest, with links to the other versions' threads, and a first message edited
    /// starts a thread of its own. Another tenant's message names no thread of the conversation.
    @Test func anEditedMessageIsANewVersionInAThreadOfItsOwn() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let path = "/agents/\(chat.agentID)/conversations/edits"
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
                /// Sends a message as the page's forms do; the reply's id, from the thread the answer shows.
                func send(_ form: [String: String]) async throws -> String {
                    let sent = try await browser.request(
                        .post, "\(path)/messages", form: form.merging(["_csrf": csrf]) { a, _ in a })
                    #expect(sent.status == .seeOther)
                    let location = try #require(sent.headers[.location])
                    #expect(location.hasPrefix("\(path)?through="))
                    let id = String(location.dropFirst("\(path)?through=".count).prefix { $0 != "#" })
                    try await chat.waitUntilEnded(id, in: api.db.store, of: owner)
                    return id
                }
                let firstReply = try await send(["content": "first question"])
                let secondReply = try await send(["content": "second question", "parent_id": firstReply])
                let editedReply = try await send(["content": "second, edited", "parent_id": firstReply])

                let newest = String(buffer: try await browser.request(.get, path).body)
                #expect(newest.contains("<div class=\"content\" dir=\"auto\">second, edited</div>"))
                #expect(!newest.contains("<div class=\"content\" dir=\"auto\">second question</div>"))
                #expect(newest.contains("<span class=\"version-label\">2 / 2</span>"))
                #expect(newest.contains("name=\"parent_id\" value=\"\(editedReply)\" id=\"composer-parent\""))
                // Each user message can be edited: the first starts the conversation anew, the second follows
                // the first reply.
                #expect(newest.contains("name=\"starts_anew\" value=\"true\""))
                #expect(newest.contains("<input type=\"hidden\" name=\"parent_id\" value=\"\(firstReply)\">"))
                let previous = try #require(
                    newest.range(of: "class=\"version-previous\"").map { newest[..<$0.lowerBound] }
                        .flatMap { $0.range(of: "href=\"", options: .backwards).map { $0.upperBound } }
                        .map { String(newest[$0...].prefix { $0 != "\"" }) })
                let first = String(
                    buffer: try await browser.request(.get, previous.replacingOccurrences(of: "&amp;", with: "&")).body)
                #expect(first.contains("<div class=\"content\" dir=\"auto\">second question</div>"))
                #expect(first.contains("id=\"message-\(secondReply)\""))
                #expect(first.contains("<span class=\"version-label\">1 / 2</span>"))

                let anewReply = try await send(["content": "first, edited", "starts_anew": "true"])
                let anew = String(buffer: try await browser.request(.get, path).body)
                #expect(anew.contains("<div class=\"content\" dir=\"auto\">first, edited</div>"))
                #expect(anew.contains("id=\"message-\(anewReply)\""))
                #expect(!anew.contains("second question"))
                #expect(anew.contains("<span class=\"version-label\">2 / 2</span>"))
                // The thread of the first version is still there, to the newest message after it.
                let throughFirst = String(buffer: try await browser.request(.get, "\(path)?through=\(firstReply)").body)
                #expect(throughFirst.contains("id=\"message-\(editedReply)\""))
                // A thread's earlier messages have no composer (a message there would branch from their last),
                // but a way on.
                let earlier = String(buffer: try await browser.request(.get, "\(path)?at=\(firstReply)").body)
                #expect(earlier.contains("id=\"later-messages\""))
                #expect(!earlier.contains("id=\"composer\""))
                #expect(!throughFirst.contains("id=\"later-messages\"") && throughFirst.contains("id=\"composer\""))

                // A search finds the first version in the thread through it, not on the newest thread's page.
                let search = String(buffer: try await browser.request(.get, "/search?q=%22second+question%22").body)
                #expect(search.contains("href=\"\(path)?through="), "\(search)")
                #expect(try await browser.request(.get, "\(path)?through=%00").status == .badRequest)
                let stranger = ConsoleBrowser(client)
                try await stranger.signIn(other.token)
                #expect(try await stranger.request(.get, "\(path)?through=\(firstReply)").status == .notFound)
                let strangers = try await api.db.store.withTenant(other.id) { session in
                    let agent = try await session.createAgent(NewAgent(name: "Theirs", systemPrompt: "p"))
                    let message = try await session.appendMessage(
                        agentID: agent.id, conversationID: ConversationID(rawValue: "edits")!,
                        NewMessage(role: .user, content: "theirs"))
                    return message.id.rawValue
                }
                #expect(try await browser.request(.get, "\(path)?through=\(strangers)").status == .notFound)
                #expect(
                    try await browser.request(
                        .post, "\(path)/messages", form: ["_csrf": csrf, "content": "x", "parent_id": strangers]
                    ).status == .unprocessableContent)
            }
        }
    }

    /// The thread shown downloads as a Markdown file: the title, each message under its speaker, oldest
    /// first, up to the message the page ended at; a reply that failed says so in the platform's words.
    @Test func aThreadDownloadsAsMarkdown() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        let (agentID, ids) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Scribe", systemPrompt: "p"))
            let conversation = ConversationID(rawValue: "notes")!
            var ids: [String] = []
            for (role, text) in [(Message.Role.user, "What is **2 + 2**?\n"), (.assistant, "It is `4`."), (.user, "Thanks")] {
                ids.append(
                    try await session.appendMessage(
                        agentID: agent.id, conversationID: conversation, NewMessage(role: role, content: text)
                    ).id.rawValue)
            }
            _ = try await session.renameConversation(
                agentID: agent.id, conversationID: conversation, title: "Sums: \"easy\" ones\nand é")
            return (agent.id.rawValue, ids)
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let path = "/agents/\(agentID)/conversations/notes"
            let page = String(buffer: try await browser.request(.get, path).body)
            #expect(page.contains("href=\"\(path)/download?at=\(ids[2])\" id=\"download-thread\""))
            let file = try await browser.request(.get, "\(path)/download?at=\(ids[2])")
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "text/markdown; charset=utf-8")
            #expect(file.headers[.contentDisposition] == "attachment; filename=\"Sums-easy-ones-and.md\"")
            #expect(
                String(buffer: file.body)
                    == "# Sums: \"easy\" ones and é\n\n## You\n\nWhat is **2 + 2**?\n\n## Scribe\n\nIt is `4`.\n\n## You\n\nThanks\n\n"
            )
            // Up to an earlier message: the thread as it was there.
            let earlier = String(buffer: try await browser.request(.get, "\(path)/download?at=\(ids[1])").body)
            #expect(earlier.hasSuffix("## Scribe\n\nIt is `4`.\n\n") && !earlier.contains("Thanks"))
            #expect(try await browser.request(.get, "\(path)/download?at=%00").status == .badRequest)
            let stranger = ConsoleBrowser(client)
            try await stranger.signIn(other.token)
            #expect(try await stranger.request(.get, "\(path)/download").status == .notFound)
        }
    }

    /// A reply that failed says so in the download and on its page, in the platform's words.
    @Test func aFailedReplySaysSoInItsDownloadAndPage() async throws {
        let owner = try await api.makeUser("owner")
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let path = "/agents/\(chat.agentID)/conversations/fails"
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
                let sent = try await browser.request(
                    .post, "\(path)/messages", form: ["_csrf": csrf, "content": "[emulator status=500]\nThis one fails"])
                let location = try #require(sent.headers[.location])
                let reply = String(location.dropFirst("\(path)?through=".count).prefix { $0 != "#" })
                try await chat.waitUntilEnded(reply, in: api.db.store, of: owner)
                let file = String(buffer: try await browser.request(.get, "\(path)/download").body)
                #expect(
                    file.hasSuffix(
                        "This one fails\n\n## chat\n\n_(The reply failed. The model provider answered with a server error.)_\n\n"),
                    "\(file)")
                // The page says it in the same words after a reload as it did live, not by the problem's type.
                let page = String(buffer: try await browser.request(.get, path).body)
                #expect(page.contains("The reply failed. The model provider answered with a server error."), "\(page)")
                // Nothing was written: nothing to copy or to rate, but it can be tried again.
                #expect(page.contains(#"data-action="copy-reply" data-message="\#(reply)" hidden>"#))
                #expect(!page.contains(#"action="/messages/\#(reply)/feedback""#))
                #expect(page.contains(#"data-action="regenerate" data-message="\#(reply)">Retry</button>"#))
            }
        }
    }

    /// The search form is a GET form: a browser sends `hello world` as `q=hello+world`, and `-word` leaves a
    /// word out. Read without the form's `+`, the first was a phrase and the second the opposite.
    @Test func searchReadsTheQueryAsABrowserSendsIt() async throws {
        let owner = try await api.makeUser()
        try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Finder", systemPrompt: "p"))
            for (conversation, text) in [("one", "hello there world"), ("two", "hello world and goodbye")] {
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: ConversationID(rawValue: conversation)!,
                    NewMessage(role: .user, content: text))
            }
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let both = String(buffer: try await browser.request(.get, "/search?q=hello+world").body)
            #expect(both.contains("hello there world") && both.contains("and goodbye"))
            let one = String(buffer: try await browser.request(.get, "/search?q=hello+-goodbye").body)
            #expect(one.contains("hello there world") && !one.contains("and goodbye"))
        }
    }

    /// A search filter or page link that cannot be read is refused by name, as the API refuses it; it was
    /// dropped, and the page showed every agent's hits, or the first page again.
    @Test func searchRefusesAFilterOrPageLinkItCannotRead() async throws {
        let owner = try await api.makeUser()
        try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Finder", systemPrompt: "p"))
            _ = try await session.appendMessage(
                agentID: agent.id, conversationID: ConversationID(rawValue: "one")!, NewMessage(role: .user, content: "hello"))
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let cases = [
                ("/search?q=hello&agent_id=\(String(repeating: "a", count: 201))", "not a valid agent id"),
                ("/search?q=hello&cursor=garbage", "link to more results is not valid"),
            ]
            for (path, said) in cases {
                let page = try await browser.request(.get, path)
                #expect(page.status == .unprocessableContent, "\(path)")
                let html = String(buffer: page.body)
                #expect(html.contains(said) && !html.contains("hello</"), "\(path)")
            }
            #expect(try await browser.request(.get, "/search?q=hello&agent_id=&cursor=").status == .ok)
        }
    }

    /// A quote followed by a combining mark is one Swift `Character`; escaped character by character it
    /// stayed raw and ended the attribute it was written in. Escaped scalar by scalar, it cannot.
    @Test func aQuoteWithACombiningMarkCannotLeaveItsAttribute() async throws {
        let owner = try await api.makeUser()
        let name = "x\"\u{301} formaction=\"/tokens"
        try await api.db.store.withTenant(owner.id) { session in
            _ = try await session.createConnection(NewAPIConnection(name: name, service: "custom", apiKey: "sk-x"))
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            // Written out of the expectations: the macro would quote their combining marks with the quotes.
            let (escapedQuery, rawQuery) = ("&quot;\u{301} autofocus x=", "\"\u{301} autofocus")
            let (escapedName, rawName) = ("x&quot;\u{301} formaction=&quot;/tokens", "\"\u{301} formaction")
            let query = "%22%CC%81%20autofocus%20x%3D"
            let search = String(buffer: try await browser.request(.get, "/search?q=\(query)").body)
            #expect(search.contains(escapedQuery))
            #expect(!search.contains(rawQuery))
            let connections = String(buffer: try await browser.request(.get, "/connections").body)
            #expect(connections.contains(escapedName))
            #expect(!connections.contains(rawName))
        }
    }

    @Test func scopesOfTheSignInTokenBindTheSession() async throws {
        let owner = try await api.makeUser()
        let reader = try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "r", scopes: [.read]) }
        let agent = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Reader's", systemPrompt: "p"))
            _ = try await session.appendMessage(
                agentID: agent.id, conversationID: ConversationID(rawValue: "read")!, NewMessage(role: .assistant, content: "hi"))
            return agent
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(reader.value)
            let page = try await browser.request(.get, "/agents")
            #expect(page.status == .ok)
            // Pages are kept by no cache.
            #expect(page.headers[.cacheControl] == "no-store")
            // Reading, a reply can be copied, not regenerated.
            let chat = String(buffer: try await browser.request(.get, "/agents/\(agent.id.rawValue)/conversations/read").body)
            #expect(chat.contains(#"data-action="copy-reply""#) && !chat.contains(#"data-action="regenerate""#))
            #expect(!String(buffer: page.body).contains("New agent"), "no form it could not submit")
            let csrf = ConsoleBrowser.csrf(in: page)
            let create = try await browser.request(.post, "/agents", form: ["_csrf": csrf, "name": "n", "system_prompt": "p"])
            #expect(create.status == .forbidden)
            #expect(try await browser.request(.get, "/tokens").status == .forbidden)
        }
    }

    /// A session ends with the token that started it: revoking a leaked token also ends the sessions it
    /// opened, which outlived it by up to `CONSOLE_SESSION_HOURS` before migration 17.
    @Test func aSessionEndsWithTheTokenThatStartedIt() async throws {
        let owner = try await api.makeUser()
        let issued = try await api.db.store.withTenant(owner.id) { try await $0.createToken(name: "leaked", scopes: [.read]) }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(issued.value)
            #expect(try await browser.request(.get, "/agents").status == .ok)
            _ = try await api.db.store.withTenant(owner.id) { try await $0.revokeToken(issued.token.id) }
            let after = try await browser.request(.get, "/agents")
            #expect(after.status == .seeOther && after.headers[.location] == "/signin?next=%2Fagents&ended=1")
        }
    }

    /// A chat connection's page lists, when asked, the models its provider lists for the key, or says in the
    /// API's words why it could not (a key the provider refuses); another tenant's connection is not found.
    @Test func aConnectionsPageListsTheModelsItsKeyMayUse() async throws {
        let owner = try await api.makeUser()
        let intruder = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test { client in
                let working = try await ChatFixture.make(client, owner, baseURLs: [baseURL]).connectionIDs[0]
                let refused = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                    .connectionIDs[0]
                let browser = ConsoleBrowser(client)
                try await browser.signIn(owner.token)
                let page = String(buffer: try await browser.request(.get, "/connections/\(working)").body)
                #expect(page.contains("href=\"/connections/\(working)/models\""))
                let listed = try await browser.request(.get, "/connections/\(working)/models")
                #expect(listed.status == .ok)
                let html = String(buffer: listed.body)
                #expect(html.contains("<li><code>emulator</code></li>") && html.contains("<li><code>emulator-mini</code></li>"))
                SecretCheck.expectAbsent(ChatFixture.apiKey, in: html)
                let failed = String(buffer: try await browser.request(.get, "/connections/\(refused)/models").body)
                #expect(
                    failed.contains("id=\"models-failure\"")
                        && failed.contains("refused the call (HTTP 401, invalid_request_error)"))
                let intruding = ConsoleBrowser(client)
                try await intruding.signIn(intruder.token)
                #expect(try await intruding.request(.get, "/connections/\(working)/models").status == .notFound)
            }
        }
    }

    /// The agent form's model field leads to the models a chat connection's provider lists: on an agent's
    /// page, its first linked chat connection's; on the agents page (a new agent), the tenant's first chat
    /// connection's. Where there is none, the field is plain.
    @Test func theModelFieldLeadsToAConnectionsModels() async throws {
        let owner = try await api.makeUser()
        let (agent, bare, connection) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Picker", systemPrompt: "p"))
            let bare = try await session.createAgent(NewAgent(name: "Bare", systemPrompt: "p"))
            // Not a chat provider: never a source of models.
            let search = try await session.createConnection(
                NewAPIConnection(name: "Search", service: "serpapi", apiKey: "serp-0123456789abcdef"))
            try await session.attachConnection(agentID: bare.id, connectionID: search.id)
            let chat = try await session.createConnection(
                NewAPIConnection(name: "Main key", service: "anthropic", apiKey: "sk-ant-0123456789abcdef"))
            try await session.attachConnection(agentID: agent.id, connectionID: search.id)
            try await session.attachConnection(agentID: agent.id, connectionID: chat.id)
            return (agent.id.rawValue, bare.id.rawValue, chat.id.rawValue)
        }
        let empty = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let link = #"<a href="/connections/\#(connection)/models" id="suggest-models">Models Main key may use</a>"#
            for path in ["/agents/\(agent)", "/agents"] {
                let page = String(buffer: try await browser.request(.get, path).body)
                #expect(page.contains(link) && page.contains(#"list="model-suggestions""#), "\(path)")
            }
            let plain = String(buffer: try await browser.request(.get, "/agents/\(bare)").body)
            #expect(!plain.contains("suggest-models") && !plain.contains(#"list="model-suggestions""#))
            let newcomer = ConsoleBrowser(client)
            try await newcomer.signIn(empty.token)
            #expect(!String(buffer: try await newcomer.request(.get, "/agents").body).contains("suggest-models"))
        }
    }

    /// A session unused for longer than `CONSOLE_IDLE_MINUTES` ends, however long its sign-in had left; one
    /// in use is kept alive by its use (noted to the minute, so most requests write nothing).
    @Test func aSessionLeftUnusedEndsWhileOneInUseLivesOn() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let lastSeen: @Sendable () async throws -> Date = {
                try #require(
                    try await api.db.admin.query(
                        "SELECT last_seen_at FROM console_sessions WHERE user_id = \(owner.id.rawValue) AND ended_at IS NULL",
                        logger: api.db.logger
                    ).collect().first?.decode(Date.self))
            }
            let seen = try await lastSeen()
            #expect(try await browser.request(.get, "/agents").status == .ok)
            #expect(try await lastSeen() == seen, "a use within the minute writes nothing")
            // Last used 59 minutes ago (the default idle time is 60): still valid, and seen again now.
            try await api.db.admin.query(
                "UPDATE console_sessions SET last_seen_at = now() - interval '59 minutes' WHERE user_id = \(owner.id.rawValue)",
                logger: api.db.logger)
            #expect(try await browser.request(.get, "/agents").status == .ok)
            #expect(try await lastSeen().timeIntervalSinceNow > -60)
            // Last used 61 minutes ago: ended, though its sign-in had 11 hours left.
            try await api.db.admin.query(
                "UPDATE console_sessions SET last_seen_at = now() - interval '61 minutes' WHERE user_id = \(owner.id.rawValue)",
                logger: api.db.logger)
            let after = try await browser.request(.get, "/agents")
            #expect(after.status == .seeOther && after.headers[.location] == "/signin?next=%2Fagents&ended=1")
            // The sign-in page says why, and that a form sent meanwhile was lost (it cannot be kept).
            let page = String(buffer: try await browser.request(.get, "/signin?next=%2Fagents&ended=1").body)
            #expect(page.contains("Your session ended: it went unused for 60 minutes"))
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/signin"))
            let form = try await browser.request(.post, "/agents", form: ["_csrf": csrf, "name": "Lost"])
            #expect(form.headers[.location] == "/signin?ended=form")
            let lost = String(buffer: try await browser.request(.get, "/signin?ended=form").body)
            #expect(lost.contains("The form you sent was not kept"))
        }
    }

    /// The router ignores empty path segments, so `//tokens` is the tokens page: it needs `admin` all the
    /// same (a prefix test on the raw path once let a `write` session mint an admin token through it).
    /// Guesses posted at once to the sign-in form under other spellings of its path (`//signin`, `/signin/`,
    /// which the router serves alike) are held to the failures left, as the API's guesses are.
    @Test func concurrentSignInGuessesAreHeldToTheFailuresLeftHoweverThePathIsWritten() async throws {
        let api = try await Self.withThreeFailuresAllowed()
        let owner = try await api.makeUser()
        // Well formed, so that each guess is checked against the database, and takes a while.
        let guess = String(owner.token.dropLast(4)) + "abcd"
        try await api.test(.live) { client in
            #expect(try await ConsoleBrowser(client).signIn(guess).status == .unauthorized)
            let port = try #require(client.port)
            // The double-submit check compares the cookie with the form, so a guesser picks both.
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for path in Array(repeating: "//signin", count: 5) + Array(repeating: "/signin/", count: 5) {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                        request.method = .POST
                        request.headers.add(name: "cookie", value: "ap_signin=picked")
                        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
                        request.body = .bytes(ByteBuffer(string: "_csrf=picked&credential=\(guess)"))
                        return Int(try await TestReplies.httpClient.execute(request, timeout: .seconds(30)).status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0 == 401 }.count <= 2, "\(answers)")
            #expect(answers.allSatisfy { $0 == 401 || $0 == 429 }, "\(answers)")
        }
    }

    /// A budget as large as an integer goes (`agentctl users limits --monthly-tokens` sets any) and a month's
    /// use to match render as a share: that share's arithmetic once trapped, taking the server down.
    @Test func aBudgetAsLargeAsAnIntegerGoesStillRenders() async throws {
        let owner = try await api.makeUser()
        _ = try await api.db.admin.query(
            "INSERT INTO chat_limits (user_id, monthly_token_budget) VALUES (\(owner.id.rawValue), \(Int64.max - 1))",
            logger: api.db.logger
        ).collect()
        _ = try await api.db.admin.query(
            """
            INSERT INTO monthly_token_usage (user_id, month, tokens)
            VALUES (\(owner.id.rawValue), date_trunc('month', now() AT TIME ZONE 'UTC')::date, \(Int64.max / 2))
            """,
            logger: api.db.logger
        ).collect()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let usage = try await browser.request(.get, "/usage")
            #expect(usage.status == .ok)
            #expect(String(buffer: usage.body).contains("50% of the budget"))
            #expect(String(buffer: usage.body).contains("0 in the last minute"))
            #expect(!String(buffer: usage.body).contains("held by replies still running"))
            // No call in the last 30 days: no scale, and no "highest day" of 1 token.
            #expect(!String(buffer: usage.body).contains("highest day") && !String(buffer: usage.body).contains("scale-top"))
        }
    }

    /// Links to a conversation carry its id percent-encoded but for ASCII's unreserved characters: a letter
    /// of another script is encoded as a space is.
    @Test func conversationLinksEncodeAllButASCIIsUnreservedCharacters() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let agentID = try await client.createAgent(as: owner)
            let posted = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/caf%C3%A9%20%C3%BC/messages", as: owner,
                json: ["role": "user", "content": "hi"])
            #expect(posted.status == .created)
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = String(buffer: try await browser.request(.get, "/agents/\(agentID)").body)
            #expect(page.contains("/conversations/caf%C3%A9%20%C3%BC"))
            #expect(!page.contains("/conversations/café"))
        }
    }

    /// The audit log reads as a person reads it: "you" for the signed-in user, an agent's entries by its
    /// name, linked to its page (one deleted since by its id, said so), and what the platform noted (a
    /// deletion's count) beside the target.
    @Test func theAuditLogSaysYouLinksTargetsAndShowsDetails() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let agentID = try await client.createAgent(as: owner, name: "Release notes")
            let goneID = try await client.createAgent(as: owner)
            #expect(try await client.send(.delete, "/v1/agents/\(goneID)", as: owner).status == .noContent)
            try await api.db.store.withTenant(owner.id) { session in
                let key = try await session.createConnection(
                    NewAPIConnection(name: "Team key", service: "openai", apiKey: "sk-test-team-0123456789abcdef"))
                try await session.attachConnection(agentID: AgentID(rawValue: agentID)!, connectionID: key.id)
            }
            let base = "/v1/agents/\(agentID)/conversations/gone"
            #expect(
                try await client.send(.post, "\(base)/messages", as: owner, json: ["role": "user", "content": "x"]).status
                    == .created)
            #expect(try await client.send(.delete, base, as: owner).status == .noContent)
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = String(buffer: try await browser.request(.get, "/audit").body)
            #expect(page.contains("<a href=\"/agents/\(agentID)\">agent Release notes</a>"), "\(page)")
            #expect(page.contains("agent \(goneID) (deleted)") && !page.contains("<a href=\"/agents/\(goneID)\">"))
            // A link's connection by its name too.
            #expect(page.contains("<span class=\"muted\">connection: Team key</span>"), "\(page)")
            #expect(page.contains("conversation_id: gone, messages: 1"))
            #expect(page.contains("data-label=\"By\">you</td>"))
            // An operator's change of the limits, with what they were: null is the platform's default there.
            let change = try await ChatLimitOverrides(admin: api.db.admin, logger: api.logger).set(
                ChatLimits(monthlyTokenBudget: 500), for: owner.id)
            try await api.db.store.withTenant(owner.id) { try await $0.actingAsOperator().recordLimitsChange(change) }
            let limits = String(buffer: try await browser.request(.get, "/audit?action=limits.changed").body)
            #expect(
                limits.contains(
                    "monthly_token_budget: 500, previous: (monthly_token_budget: the default, requests_per_minute: the default), "
                        + "requests_per_minute: the default"), "\(limits)")
            #expect(!page.contains("user:\(owner.id.rawValue)"))
            // Each action in words, its code beside; one action's entries alone.
            #expect(page.contains("Conversation deleted<br><code class=\"muted\">conversation.deleted</code>"))
            let deletions = String(buffer: try await browser.request(.get, "/audit?action=conversation.deleted").body)
            #expect(deletions.contains("conversation.deleted</code>") && !deletions.contains("agent.created</code>"))
            #expect(deletions.contains(#"<option value="conversation.deleted" selected>"#))
            #expect(try await browser.request(.get, "/audit?action=").status == .ok)
            #expect(try await browser.request(.get, "/audit?action=nope").status == .badRequest)
        }
    }

    /// A reply shows the feedback the tenant gave it, after any reload: the rating chosen pressed, the
    /// comment in its field (escaped); a reply without feedback presses neither.
    @Test func aReplyShowsTheFeedbackGivenIt() async throws {
        let owner = try await api.makeUser()
        let (agent, rated, unrated) = try await api.db.store.withTenant(owner.id) { session in
            let agent = try await session.createAgent(NewAgent(name: "Rated", systemPrompt: "p"))
            let conversation = ConversationID(rawValue: "rated")!
            var replies: [MessageID] = []
            for text in ["first", "second"] {
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: text))
                replies.append(
                    try await session.appendMessage(
                        agentID: agent.id, conversationID: conversation, NewMessage(role: .assistant, content: "re: \(text)")
                    ).id)
            }
            return (agent, replies[0], replies[1])
        }
        try await api.test { client in
            let given = try await client.send(
                .put, "/v1/messages/\(rated.rawValue)/feedback", as: owner, json: ["rating": 0, "comment": "too long <b>"])
            #expect(given.status == .ok)
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = String(buffer: try await browser.request(.get, "/agents/\(agent.id.rawValue)/conversations/rated").body)
            func item(_ id: MessageID) throws -> String {
                let start = try #require(page.firstRange(of: "id=\"message-\(id.rawValue)\""))
                return String(page[start.lowerBound...].prefix { $0 != "}" }.split(separator: "</li>").first ?? "")
            }
            let ratedItem = try item(rated)
            #expect(ratedItem.contains("value=\"down\" class=\"secondary\" aria-pressed=\"true\""), "\(ratedItem)")
            #expect(ratedItem.contains("value=\"up\" class=\"secondary\" aria-pressed=\"false\""))
            #expect(ratedItem.contains("value=\"too long &lt;b&gt;\""))
            #expect(ratedItem.contains("You rated it bad."))
            let unratedItem = try item(unrated)
            #expect(!unratedItem.contains("aria-pressed=\"true\"") && !unratedItem.contains("You rated it"))
        }
    }

    /// The agents page opens with the tenant's latest conversations across agents, each linked to its chat
    /// and naming its agent, newest first; another tenant's are not among them, and later pages of agents
    /// leave the list out.
    @Test func theAgentsPageListsTheLatestConversationsAcrossAgents() async throws {
        let owner = try await api.makeUser("owner")
        let other = try await api.makeUser("other")
        try await api.test { client in
            let planner = try await client.createAgent(as: owner, name: "Planner")
            let writer = try await client.createAgent(as: owner, name: "Writer <b>")
            let theirs = try await client.createAgent(as: other, name: "Theirs")
            for (tenant, agent, conversation, title) in [
                (owner, planner, "trip", "Trip plan"), (other, theirs, "secret", "Their secret"),
                (owner, writer, "essay", "Essay draft"),
            ] {
                let created = try await client.send(
                    .post, "/v1/agents/\(agent)/conversations", as: tenant, json: ["id": conversation, "title": title])
                #expect(created.status == .created)
                let sent = try await client.send(
                    .post, "/v1/agents/\(agent)/conversations/\(conversation)/messages", as: tenant,
                    json: ["role": "user", "content": "hello"])
                #expect(sent.status == .created)
            }
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = String(buffer: try await browser.request(.get, "/agents").body)
            let list = try #require(page.firstRange(of: "id=\"recent-conversations\"").map { String(page[$0.upperBound...]) })
            let essay = try #require(list.firstRange(of: "Essay draft"))
            let trip = try #require(list.firstRange(of: "Trip plan"))
            #expect(essay.lowerBound < trip.lowerBound)
            #expect(list.contains("href=\"/agents/\(writer)/conversations/essay\""))
            #expect(list.contains("with Writer &lt;b&gt;"))
            #expect(!page.contains("Their secret"))
            let later = String(buffer: try await browser.request(.get, "/agents?after=\(planner)").body)
            #expect(!later.contains("recent-conversations"))
        }
    }

    /// What replies still running hold is told apart from what was spent, and the minute's requests are
    /// counted as the per-minute limit counts them.
    @Test func theUsagePageTellsReservationsFromSpentTokens() async throws {
        let page = try await usagePage(runningCall: (reserved: 1234, completion: 0, estimated: false))
        #expect(page.contains("<strong>1,234</strong> tokens used (1,234 of them held by replies still running"))
        #expect(page.contains("1 in the last minute"))
        // No estimate among them: no "~", and nothing to explain.
        #expect(!page.contains(#"<abbr title="includes estimates">"#) && !page.contains("estimated-note"))
    }

    /// A month over its budget is shown as it is, past 100%, with how far over and why a call can go past
    /// it; the bar stops at full. A deleted agent's usage stays, named as deleted, with no link to a page
    /// that is gone.
    @Test func aMonthOverItsBudgetAndADeletedAgentAreShownAsTheyAre() async throws {
        let owner = try await api.makeUser()
        let agentID = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "gone", systemPrompt: "p")).id
        }
        for sql: PostgresQuery in [
            "INSERT INTO chat_limits (user_id, monthly_token_budget) VALUES (\(owner.id.rawValue), 100)",
            """
            INSERT INTO provider_calls (user_id, agent_id, model, attempt, prompt_tokens, completion_tokens)
            VALUES (\(owner.id.rawValue), \(agentID.rawValue), 'm', 1, 120, 30)
            """,
        ] {
            _ = try await api.db.admin.query(sql, logger: api.db.logger).collect()
        }
        _ = try await api.db.store.withTenant(owner.id) { try await $0.deleteAgent(agentID) }
        let page = try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            return String(buffer: try await browser.request(.get, "/usage").body)
        }
        #expect(page.contains("150% of the budget"), "\(page)")
        #expect(page.contains("<strong>50 tokens over the budget.</strong>"))
        #expect(page.contains(#"<progress max="100" value="100""#))
        #expect(page.contains("\(agentID.rawValue) (deleted)"))
        #expect(!page.contains("/agents/\(agentID.rawValue)"))
        #expect(page.contains("The newest 20, each attempt of a fallback its own"))
        // The call itself, in the latest calls: its attempt, status and tokens.
        #expect(page.contains(#"<td data-label="Status">running</td><td data-label="Tokens">120 + 30</td>"#), "\(page)")
    }

    /// A day whose tokens include estimates is marked "~", and a note under the table says what that means
    /// in words a touch screen shows (the mark's tooltip is out of its reach).
    @Test func estimatedTokensAreExplainedOnThePage() async throws {
        let page = try await usagePage(runningCall: (reserved: 10, completion: 7, estimated: true))
        // On both of the day's token counts, and on the agent's.
        #expect(page.components(separatedBy: #"7 <abbr title="includes estimates">~</abbr>"#).count == 3, "\(page)")
        #expect(page.components(separatedBy: #"0 <abbr title="includes estimates">~</abbr>"#).count == 3, "\(page)")
        #expect(page.contains(#"<p class="muted" id="estimated-note">~ includes estimated tokens"#))
    }

    /// The usage page of a new tenant with one call running (a ledger row as a reply's start writes it).
    private func usagePage(runningCall call: (reserved: Int, completion: Int, estimated: Bool)) async throws -> String {
        let owner = try await api.makeUser()
        let agentID = try await api.db.store.withTenant(owner.id) {
            try await $0.createAgent(NewAgent(name: "a", systemPrompt: "p")).id
        }
        _ = try await api.db.admin.query(
            """
            INSERT INTO provider_calls (user_id, agent_id, model, attempt, reserved_tokens, completion_tokens, usage_estimated)
            VALUES (\(owner.id.rawValue), \(agentID.rawValue), 'm', 1, \(call.reserved), \(call.completion), \(call.estimated))
            """,
            logger: api.db.logger
        ).collect()
        return try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            return String(buffer: try await browser.request(.get, "/usage").body)
        }
    }

    @Test func theTokensPagesNeedAdminHoweverThePathIsWritten() async throws {
        let owner = try await api.makeUser()
        let writer = try await api.db.store.withTenant(owner.id) {
            try await $0.createToken(name: "w", scopes: [.read, .write])
        }
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(writer.value)
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
            for path in ["/tokens", "//tokens", "/tokens/", "//tokens//"] {
                #expect(try await browser.request(.get, path).status == .forbidden, "\(path)")
                let minted = try await browser.request(.post, path, form: ["_csrf": csrf, "name": "x", "admin": "on"])
                #expect(minted.status == .forbidden, "\(path)")
            }
            let tokens = try await api.db.store.withTenant(owner.id) { try await $0.tokens(PageRequest(order: .descending)) }
            #expect(!tokens.items.contains { $0.name == "x" })
        }
    }

    @Test func tokenValuesAreShownOnceAndRevocationWorks() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/tokens"))
            let created = try await browser.request(
                .post, "/tokens", form: ["_csrf": csrf, "name": "ci", "expires_in_days": "7", "read": "on"])
            #expect(created.status == .created)
            let html = String(buffer: created.body)
            let marker = try #require(html.range(of: "id=\"issued-token\" readonly value=\""))
            let value = String(html[marker.upperBound...].prefix { $0 != "\"" })
            #expect(value.hasPrefix("ap_"))
            #expect(try await client.send(.get, "/v1/me", as: Tenant(id: owner.id, token: value)).status == .ok)
            #expect(!String(buffer: try await browser.request(.get, "/tokens").body).contains(value))

            let tokens = try await api.db.store.withTenant(owner.id) { try await $0.tokens(PageRequest(order: .descending)) }
            let issued = try #require(tokens.items.first { $0.name == "ci" })
            #expect(issued.scopes == [.read])
            let revoked = try await browser.request(.post, "/tokens/\(issued.id.rawValue)/revoke", form: ["_csrf": csrf])
            #expect(revoked.status == .seeOther && revoked.headers[.location] == "/tokens?done=token-revoked")
            #expect(try await client.send(.get, "/v1/me", as: Tenant(id: owner.id, token: value)).status == .unauthorized)
        }
    }

    /// A new token is read and write unless admin is ticked, and a refused form keeps the boxes as sent.
    @Test func theTokenFormTicksOnlyTheScopesItShouldGrant() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            func ticked(_ html: String) -> [String] {
                ["read", "write", "admin"].filter { html.contains("name=\"\($0)\" checked") }
            }
            let page = try await browser.request(.get, "/tokens")
            #expect(ticked(String(buffer: page.body)) == ["read", "write"])
            let refused = try await browser.request(
                .post, "/tokens",
                form: ["_csrf": ConsoleBrowser.csrf(in: page), "name": "ci", "expires_in_days": "soon", "read": "on"])
            #expect(refused.status == .unprocessableContent)
            #expect(ticked(String(buffer: refused.body)) == ["read"])
            // No box ticked: the boxes' group says so, next to them.
            let none = try await browser.request(
                .post, "/tokens", form: ["_csrf": ConsoleBrowser.csrf(in: page), "name": "ci", "expires_in_days": "7"])
            #expect(none.status == .unprocessableContent)
            #expect(String(buffer: none.body).contains("id=\"scopes-error\""))
        }
    }

    /// Signing in again ends the session the browser held: its cookie, kept elsewhere, stops working.
    @Test func signingInAgainEndsTheSessionItReplaces() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let first = try #require(browser.cookies["ap_session"])
            try await browser.signIn(owner.token)
            let second = try #require(browser.cookies["ap_session"])
            #expect(first != second)
            for (session, status) in [(first, HTTPResponse.Status.seeOther), (second, .ok)] {
                let visit = try await client.executeRequest(
                    uri: "/agents", method: .get, headers: [.cookie: "ap_session=\(session)"], body: nil)
                #expect(visit.status == status)
            }
        }
    }

    /// A page's forms carry the CSRF token of the session that was checked, whatever other session cookie the
    /// browser still holds (a `__Host-` one from when the console was served secure): its sign-out works.
    @Test func formsCarryTheTokenOfTheSessionChecked() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let session = try #require(browser.cookies["ap_session"])
            let cookies: HTTPFields = [.cookie: "__Host-ap_session=stale; ap_session=\(session)"]
            let page = try await client.executeRequest(uri: "/agents", method: .get, headers: cookies, body: nil)
            #expect(page.status == .ok)
            var headers = cookies
            headers[.contentType] = "application/x-www-form-urlencoded"
            let signedOut = try await client.executeRequest(
                uri: "/signout", method: .post, headers: headers,
                body: ByteBuffer(string: "_csrf=\(ConsoleBrowser.csrf(in: page))"))
            #expect(signedOut.status == .seeOther)
            let after = try await client.executeRequest(
                uri: "/agents", method: .get, headers: [.cookie: "ap_session=\(session)"], body: nil)
            #expect(after.status == .seeOther)
        }
    }

    /// Behind proxies that each add their scheme, the first is the client's: cookies are secure. RFC 7239's
    /// `Forwarded` says it as well as `X-Forwarded-Proto`.
    @Test(arguments: [
        ("X-Forwarded-Proto", "https, http", true), ("Forwarded", "for=192.0.2.1;proto=https, for=10.0.0.2;proto=http", true),
        ("Forwarded", "For=\"[2001:db8::1]\"; Proto=\"HTTPS\"", true),
        ("Forwarded", "for=192.0.2.1;proto=http, proto=https", false),
    ])
    func theClientsSchemeIsTheFirstAProxyChainForwards(header: String, value: String, secure: Bool) async throws {
        try await api.test { client in
            let page = try await client.executeRequest(
                uri: "/signin", method: .get, headers: [HTTPField.Name(header)!: value], body: nil)
            let cookie = try #require(page.headers[.setCookie])
            #expect((cookie.hasPrefix("__Host-ap_signin=") && cookie.contains("; Secure")) == secure, "\(cookie)")
        }
    }

    /// A form larger than the limit is refused as a page that says so, the sign-in form's too.
    @Test func oversizedFormsAreRefusedAsPages() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let page = try await browser.request(.get, "/agents")
            let limit = api.configuration.maximumBodySize
            let created = try await browser.request(
                .post, "/agents",
                form: ["_csrf": ConsoleBrowser.csrf(in: page), "name": String(repeating: "a", count: limit + 1)])
            #expect(created.status == .contentTooLarge)
            #expect(created.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: created.body).contains("exceeds the limit of \(limit) bytes"))

            let signIn = try await ConsoleBrowser(client).request(
                .post, "/signin", form: ["credential": String(repeating: "x", count: 70_000)])
            #expect(signIn.status == .contentTooLarge)
            #expect(signIn.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test func assetsAreContentAddressedAndCachedForAYear() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            try await browser.signIn(owner.token)
            let html = String(buffer: try await browser.request(.get, "/agents").body)
            let script = try #require(html.range(of: #"/assets/console-[0-9a-f]{12}\.js"#, options: .regularExpression))
            let response = try await client.executeRequest(uri: String(html[script]), method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(!html.contains("<script>"), "no inline script")
        }
    }
}

/// Header names of the console's scripts.
enum ConsoleBrowserHeaders {
    static let csrf = HTTPField.Name("X-CSRF-Token")!
}
