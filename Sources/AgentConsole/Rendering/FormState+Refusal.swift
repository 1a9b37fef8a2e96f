import AgentAPI
import Hummingbird

extension FormState {
    /// The form to show again, and its status, when a submission was refused for what it holds: a field
    /// the page checked itself (`RefusedInput`, 422), or the API's refusal (a 422 or 409 with its field
    /// errors placed by their fields; `valueless` as in `FormState(_:refused:valueless:)`). Any other error is
    /// not about the form, and is thrown.
    static func refusal(
        _ error: any Error, values: [String: String], valueless: Set<String> = []
    ) throws -> (form: FormState, status: HTTPResponse.Status) {
        if let refused = error as? RefusedInput { return (refused.form(values), .unprocessableContent) }
        let refused = RefusedRequest(error)
        guard refused.status == 422 || refused.status == 409 else { throw error }
        return (FormState(values, refused: refused, valueless: valueless), .init(code: refused.status))
    }
}
