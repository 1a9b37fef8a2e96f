import Foundation
import Hummingbird
import HummingbirdTesting

/// A browser as far as the console's server side can tell: it keeps the cookies it is given, sends them
/// back, and reads the CSRF token pages carry. (The real browser's walk is `Tests/Python/console_walk.py`.)
final class ConsoleBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    /// Sends a request with the cookies held, and keeps those the response sets (Max-Age=0 removes one).
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil, headers extra: HTTPFields = [:],
        body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var headers = extra
        // As a browser navigating: a page is wanted.
        if headers[.accept] == nil { headers[.accept] = "text/html,application/xhtml+xml,*/*;q=0.8" }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        var body = body
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: Self.encode(form))
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return response
    }

    /// Signs in with `credential` through the sign-in page, as a person would.
    @discardableResult
    func signIn(_ credential: String) async throws -> TestResponse {
        let page = try await request(.get, "/signin")
        return try await request(.post, "/signin", form: ["_csrf": Self.csrf(in: page), "credential": credential])
    }

    /// The CSRF token of a page: the value of its first `_csrf` field.
    static func csrf(in response: TestResponse) -> String {
        let html = String(buffer: response.body)
        guard let field = html.range(of: "name=\"_csrf\" value=\"") else { return "" }
        let rest = html[field.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}
