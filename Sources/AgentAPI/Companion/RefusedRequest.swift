import AgentStore
import HTTPTypes

/// Why the API would refuse a request, for a companion that shows it on a page rather than as a problem
/// document: the same status, wording and field errors (named as the API names fields).
public struct RefusedRequest: Sendable {
    public let status: Int
    public let title: String
    public let detail: String
    /// `(field, reason)` pairs: the field as the API's bodies name it (`system_prompt`, `metadata.base_url`).
    public let fieldErrors: [(field: String, reason: String)]
    /// The headers the API's answer carries beside its problem document (`Retry-After`, `Allow`).
    public let headers: HTTPFields

    /// What the API would answer for `error`, with `bodyLimit` the limit a body too large broke. Internal
    /// failures keep their generic wording.
    public init(_ error: any Error, bodyLimit: Int = 0) {
        let problem = Problem(from: error, bodyLimit: bodyLimit)
        status = Int(problem.status.code)
        title = problem.title
        detail = problem.detail
        fieldErrors = (problem.errors ?? []).map { ($0.field, $0.reason) }
        headers = problem.headers
    }
}
