import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error response of the API, as `application/problem+json`.
///
/// `detail` is written for people and never carries stored values, tokens or keys.
struct Problem: Error, HTTPResponseError, Encodable, Sendable {
    /// One rejected input: the field's name and why.
    struct FieldError: Encodable, Sendable, Equatable {
        let field: String
        let reason: String
    }

    let type: String
    let title: String
    let status: HTTPResponse.Status
    var detail: String
    let errors: [FieldError]?
    /// The tenant's limit that refused a call (`monthly_token_budget` or `requests_per_minute`), for a client
    /// to act on without reading `detail`.
    var limit: String?
    /// OpenAI's type and code for this problem where OpenAI has its own (a spent quota, a rate limit), for the
    /// OpenAI-compatible endpoint, whose SDKs and gateways act on them; not part of the problem document.
    var openAIWords: (type: String, code: String)?
    /// Extra response headers, such as `WWW-Authenticate`.
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, slug: String, title: String, detail: String, errors: [FieldError]? = nil) {
        self.type = "\(Self.typeBase)\(slug)"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    static let typeBase = "https://agent-platform.dev/problems/"
    static let mediaType = "application/problem+json"

    // MARK: Encoding

    private enum CodingKeys: String, CodingKey { case type, title, status, detail, errors, limit }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(title, forKey: .title)
        try container.encode(Int(status.code), forKey: .status)
        try container.encode(detail, forKey: .detail)
        try container.encodeIfPresent(errors, forKey: .errors)
        try container.encodeIfPresent(limit, forKey: .limit)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The problem as a response, written by the same encoder as every other body. Encoding a problem
    /// cannot fail, but if it did the status would still stand.
    func response() -> Response {
        (try? APIResponseEncoder.response(self, status: status, contentType: Self.mediaType, headers: headers))
            ?? Response(status: status, headers: headers)
    }
}
