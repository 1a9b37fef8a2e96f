import HTTPTypes

/// Headers of every console response: scripts and styles from the console's own origin only (no inline
/// script), no framing, no form posts elsewhere, no referrer beyond the origin. (No caching comes from
/// `ResponseHeadersMiddleware`, as for every response; the assets choose their own.)
enum ConsoleHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static var page: HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return headers
    }
}
