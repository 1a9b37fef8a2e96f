import Foundation
import HTTPTypes
import Hummingbird

/// The console's two cookies and how they are written: the session (`ap_session`) and, before sign-in,
/// the value the sign-in form must echo (`ap_signin`, a double-submit check against login CSRF).
enum ConsoleCookies {
    static let session = "ap_session"
    static let signIn = "ap_signin"

    /// The value of cookie `name` in the request's `Cookie` headers.
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name else { continue }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: never readable by scripts, never sent by another site's request.
    /// `maxAge` 0 deletes the cookie.
    static func setCookie(_ name: String, value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// Whether cookies of this request must be `Secure`: configured so, or the request came over TLS to a proxy.
    static func secure(_ request: Request, settings: ConsoleSettings) -> Bool {
        settings.secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
