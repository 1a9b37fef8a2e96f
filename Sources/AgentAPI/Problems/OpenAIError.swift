import AgentReplies
import HTTPTypes
import Hummingbird

/// An error in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`), for the
/// OpenAI-compatible endpoint, whose clients (the official SDKs) read errors that way.
struct OpenAIError: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String
    let type: String
    let param: String?
    let code: String?
    var headers: HTTPFields = [:]

    static let invalidModel = OpenAIError(
        status: .notFound, message: "The model must be `agent:<agent id>` of one of your agents (see GET /v1/models).",
        type: "invalid_request_error", param: "model", code: "model_not_found")

    static func invalidRequest(_ message: String, param: String?, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// The platform's problem, said the OpenAI way; the status and `Retry-After` stay.
    init(_ problem: Problem) {
        let slug = String(problem.type.dropFirst(Problem.typeBase.count))
        // OpenAI's own code where clients act on it (to shorten a conversation, say).
        let openAIs = Self.openAINames[slug]
        // OpenAI's own words for a refusal by the tenant's limits, chosen where the refusal is made.
        let code = openAIs?.code ?? problem.openAIWords?.code ?? slug
        let typeByStatus =
            switch problem.status.code {
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "invalid_request_error"
            case 429: "rate_limit_error"
            case 400..<500: "invalid_request_error"
            default: "api_error"
            }
        let type = problem.openAIWords?.type ?? typeByStatus
        var headers = problem.headers
        // The provider refused the call itself (a bad key, an unknown model), or a limit no wait lifts
        // refused it: the same request fails again, and OpenAI's SDKs, which retry any 429 and 5xx, leave it
        // when told so.
        if Self.notWorthRetrying.contains(slug) { headers[Self.shouldRetry] = "false" }
        // A wait past a minute (a budget spent until next month): the SDKs ignore such a Retry-After and retry
        // within seconds, to be refused again.
        if let wait = problem.headers[.retryAfter].flatMap(Int.init), wait > Self.longestWaitRetried {
            headers[Self.shouldRetry] = "false"
        }
        self.init(
            status: problem.status, message: problem.detail, type: type,
            param: problem.errors?.first?.field ?? openAIs?.param, code: code, headers: headers)
    }

    static let notWorthRetrying: Set = ["provider-rejected", Problem.overLimit, Problem.outcomeNotStoredSlug]
    /// The platform's problem types that OpenAI names otherwise: OpenAI's code, and the member it names.
    static let openAINames = [ReplyFailure.contextLengthExceeded.slug: (code: "context_length_exceeded", param: "messages")]
    /// The longest `Retry-After` OpenAI's SDKs wait out; past it they retry on their own schedule.
    static let longestWaitRetried = 60
    static let shouldRetry = HTTPField.Name("x-should-retry")!

    /// A reply that failed before its first token.
    init(_ failure: ReplyFailure) {
        self.init(Problem(failure))
    }

    init(
        status: HTTPResponse.Status, message: String, type: String, param: String?, code: String?, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers
    }

    /// The `error` object alone, as a streamed chunk carries it.
    var body: Body { Body(error: Detail(message: message, type: type, param: param, code: code)) }

    struct Body: Encodable, Sendable {
        let error: Detail
    }

    struct Detail: Encodable, Sendable {
        let message: String
        let type: String
        @Nullable var param: String?
        @Nullable var code: String?
    }

    func response() -> Response {
        (try? APIResponseEncoder.response(body, status: status, headers: headers)) ?? Response(status: status)
    }
}
