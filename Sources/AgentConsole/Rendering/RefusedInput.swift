/// Form values the console cannot even hand to the store (a number that is not one): refused with a
/// message next to each field, as the API refuses a JSON value of the wrong type.
struct RefusedInput: Error, Sendable {
    /// Reasons by field name, as the API names the fields.
    let errors: [String: String]

    init(field: String, reason: String) {
        errors = [field: reason]
    }

    init(errors: [String: String]) {
        self.errors = errors
    }

    func form(_ values: [String: String]) -> FormState {
        var state = FormState(values)
        state.errors.merge(errors) { first, _ in first }
        return state
    }
}
