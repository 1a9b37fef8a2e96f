import Foundation
import HTTPTypes
import Hummingbird

/// The console's two cookies and how they are written: the session (`ap_session`) and, before sign-in,
/// the value the sign-in form must echo (`ap_signin`, a double-submit check against login CSRF). Both are
/// `__Host-` prefixed when secure.
enum ConsoleCookies {
    static let session = "ap_session"
    static let signIn = "ap_signin"

    /// The name cookie `base` has where cookies are (or are not) `Secure`. A secure one carries the
    /// `__Host-` prefix: browsers then accept it only from this very host over HTTPS, with `Path=/` and no
    /// `Domain`, so neither a sibling subdomain nor a plain-HTTP attacker on the network can plant one (a
    /// planted sign-in value would defeat the form's double-submit check; a planted session would sign the
    /// visitor into the attacker's account).
    static func name(_ base: String, secure: Bool) -> String {
        secure ? "__Host-\(base)" : base
    }

    /// The value of cookie `base` under the name this request's security gives it (see ``name(_:secure:)``):
    /// on a secure console a cookie without the prefix is ignored.
    static func value(_ base: String, in request: Request, secure: Bool) -> String? {
        value(named: name(base, secure: secure), in: request)
    }

    /// The session of a request that `ConsoleSessionMiddleware` admitted: the one cookie it left, having
    /// dropped the session cookie of the name it did not check (``dropSession(uncheckedWhere:from:)``).
    static func admittedSession(in request: Request) -> String? {
        value(named: name(session, secure: true), in: request) ?? value(named: session, in: request)
    }

    /// Drops from `request` the session cookie under the name a request of the other security would have
    /// (a `__Host-` one left from when the console was secure, say): the pages derive their CSRF token from,
    /// and a sign-out ends, the session that was checked, not one that merely sorts first.
    static func dropSession(uncheckedWhere secure: Bool, from request: inout Request) {
        let unchecked = name(session, secure: !secure)
        let headers = request.headers[values: .cookie]
        guard headers.contains(where: { $0.contains(unchecked) }) else { return }
        var head = request.head
        head.headerFields[values: .cookie] = headers.compactMap { header in
            let kept = header.split(separator: ";").filter { cookie($0).name != unchecked }
            return kept.isEmpty ? nil : kept.joined(separator: ";")
        }
        request = Request(head: head, body: request.body)
    }

    private static func value(named name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let (named, value) = cookie(pair)
                guard named == name, let value else { continue }
                return value
            }
        }
        return nil
    }

    /// One `name=value` pair of a `Cookie` header, trimmed; the value nil when the pair has no `=`.
    private static func cookie(_ pair: Substring) -> (name: String, value: String?) {
        let parts = pair.split(separator: "=", maxSplits: 1)
        return (
            parts.first?.trimmingCharacters(in: .whitespaces) ?? "",
            parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : nil
        )
    }

    /// A `Set-Cookie` value: never readable by scripts, never sent by another site's request.
    /// `maxAge` 0 deletes the cookie.
    static func setCookie(_ base: String, value: String, maxAge: Int, secure: Bool) -> String {
        "\(name(base, secure: secure))=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// Whether cookies of this request must be `Secure`: configured so, or the request came over TLS to a
    /// proxy, as it says in `X-Forwarded-Proto` or in RFC 7239's `Forwarded` (`proto=https`). Proxies in a
    /// chain may each add their hop (`https, http`): the first is the client's. (A forged header can only
    /// make a cookie stricter.)
    static func secure(_ request: Request, settings: ConsoleSettings) -> Bool {
        guard !settings.secureCookies else { return true }
        let scheme = request.headers[values: HTTPField.Name("X-Forwarded-Proto")!].first?.split(separator: ",").first
        if scheme?.trimmingCharacters(in: .whitespaces).lowercased() == "https" { return true }
        let clientHop = request.headers[values: HTTPField.Name("Forwarded")!].first?.split(separator: ",").first
        return clientHop?.split(separator: ";").contains {
            let pair = $0.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return pair.count == 2 && pair[0] == "proto" && pair[1].trimmingCharacters(in: ["\""]) == "https"
        } ?? false
    }
}
