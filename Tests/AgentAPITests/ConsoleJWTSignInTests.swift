import AgentAPI
import AgentConsole
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import PostgresNIO
import Testing

/// Where JWTs are configured, the console's sign-in takes one as the API does, and refuses one that the
/// API would refuse.
@Suite(.oneDatabase) struct ConsoleJWTSignInTests {
    let api: TestAPI

    init() async throws {
        var made = try await TestAPI.make(
            jwt: JWTConfiguration(
                hs256Secret: AuthenticationTests.secret, issuer: AuthenticationTests.issuer, audience: "agent-platform"))
        made.companions = [try WebConsole()]
        api = made
    }

    func jwt(
        subject: String, secret: String = AuthenticationTests.secret, expiresIn: TimeInterval = 600
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            AuthenticationTests.Claims(
                sub: SubjectClaim(value: subject), exp: ExpirationClaim(value: Date().addingTimeInterval(expiresIn)),
                iss: IssuerClaim(value: AuthenticationTests.issuer), aud: AudienceClaim(value: ["agent-platform"])))
    }

    @Test func aJWTSignsInAndAForgedOneDoesNot() async throws {
        let subject = "console-\(UUID().uuidString.prefix(8))"
        let userID = UserID.jwt(issuer: AuthenticationTests.issuer, subject: subject)
        _ = try await api.db.store.withTenant(userID) { try await $0.createCurrentUser(email: "\(subject)@example.test") }
        let valid = try await jwt(subject: subject)
        let forged = try await jwt(subject: subject, secret: "another-secret-that-is-long-enough-for-hs256!")
        try await api.test { client in
            let page = try await ConsoleBrowser(client).request(.get, "/signin")
            #expect(String(buffer: page.body).contains("Token or JWT"))
            #expect(try await ConsoleBrowser(client).signIn(forged).status == .unauthorized)
            let browser = ConsoleBrowser(client)
            #expect(try await browser.signIn(valid).status == .seeOther)
            let agents = try await browser.request(.get, "/agents")
            #expect(agents.status == .ok)
            #expect(String(buffer: agents.body).contains("\(subject)@example.test"))
        }
    }

    /// A JWT within its minute of grace past `exp` is valid for the API, but a session it bounds would end
    /// before it began: the sign-in says the token expired, and starts nothing.
    @Test func aJWTPastItsExpiryStartsNoSession() async throws {
        let subject = "console-\(UUID().uuidString.prefix(8))"
        let userID = UserID.jwt(issuer: AuthenticationTests.issuer, subject: subject)
        _ = try await api.db.store.withTenant(userID) { try await $0.createCurrentUser(email: "\(subject)@example.test") }
        let lapsed = try await jwt(subject: subject, expiresIn: -30)
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            let refused = try await browser.signIn(lapsed)
            #expect(refused.status == .unauthorized)
            #expect(String(buffer: refused.body).contains("has expired"))
            #expect(browser.cookies["ap_session"] == nil)
        }
        let sessions = try await api.db.admin.query(
            "SELECT count(*) FROM console_sessions WHERE user_id = \(userID.rawValue)", logger: api.db.logger
        ).collect().first?.decode(Int.self)
        #expect(sessions == 0)
    }

    @Test func aSessionEndsNoLaterThanTheJWTThatStartedIt() async throws {
        let subject = "console-\(UUID().uuidString.prefix(8))"
        let userID = UserID.jwt(issuer: AuthenticationTests.issuer, subject: subject)
        _ = try await api.db.store.withTenant(userID) { try await $0.createCurrentUser(email: "\(subject)@example.test") }
        let expires = Date().addingTimeInterval(90)
        let token = try await jwt(subject: subject, expiresIn: 90)
        try await api.test { client in
            let browser = ConsoleBrowser(client)
            let signedIn = try await browser.signIn(token)
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("ap_session=") })
            let maxAge = try #require(
                cookie.split(separator: ";").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Max-Age=") })
            let seconds = try #require(Int(maxAge.split(separator: "=")[1]))
            // The console's own lifetime is hours; the JWT's minute and a half is what bounds the session.
            #expect(seconds > 0 && seconds <= 90)
        }
        let stored = try await api.db.admin.query(
            "SELECT max(expires_at) FROM console_sessions WHERE user_id = \(userID.rawValue)", logger: api.db.logger
        ).collect().first?.decode(Date.self)
        #expect(try #require(stored) <= expires.addingTimeInterval(1))
    }
}
