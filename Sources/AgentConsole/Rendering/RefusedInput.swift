/// A form value the console cannot even hand to the store (a number that is not one): refused with a
/// message next to its field, as the API refuses a JSON value of the wrong type.
struct RefusedInput: Error, Sendable {
    let field: String
    let reason: String

    func form(_ values: [String: String]) -> FormState {
        var state = FormState(values)
        state.errors[field] = reason
        return state
    }
}
