import HTTPTypes

/// Headers of every console response: scripts and styles from the console's own origin only (no inline
/// script), no framing, no form posts elsewhere, no referrer beyond the origin; and kept by no cache, the
/// browser's back-forward cache included (Back to the page of an agent just deleted reads it anew, a 404,
/// rather than showing it still usable; a shared computer's next user finds nothing kept). The assets,
/// which hold nobody's data, replace that with a long cache of their own.
enum ConsoleHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static var page: HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[.cacheControl] = "no-store"
        return headers
    }
}
