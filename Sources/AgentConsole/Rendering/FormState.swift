import AgentAPI

/// A form as the page shows it again after a refusal: what was typed, and each field's message next to
/// it, in the API's words (`RefusedRequest`), keyed by the API's field names, which the forms use too.
struct FormState: Sendable {
    var values: [String: String]
    var errors: [String: String] = [:]
    /// A message about the whole form (not one field), such as a conflict.
    var message: String?

    init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// `values` with the reasons of `refused`; a field error the form has no field for becomes the message.
    /// `valueless` names the form's fields that have no value of their own (a group of boxes).
    init(_ values: [String: String], refused: RefusedRequest, valueless: Set<String> = []) {
        self.values = values
        for (field, reason) in refused.fieldErrors {
            let name = field.hasPrefix("metadata.") ? String(field.dropFirst("metadata.".count)) : field
            if values.keys.contains(name) || valueless.contains(name) {
                errors[name] = reason
            } else {
                message = "\(field): \(reason)"
            }
        }
        if refused.fieldErrors.isEmpty { message = refused.detail }
    }
}
