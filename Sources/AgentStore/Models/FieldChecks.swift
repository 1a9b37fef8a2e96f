/// Checks of several fields that go on past the first failure: every field is checked and every
/// violation is reported, instead of the first one alone.
struct FieldChecks {
    private var violations: [FieldViolation] = []

    /// Runs one field's check and keeps its violations; any other error is thrown at once.
    mutating func check(_ body: () throws(StoreError) -> Void) throws(StoreError) {
        do {
            try body()
        } catch .invalid(let field, let reason) {
            violations.append(FieldViolation(field: field, reason: reason))
        } catch .invalidFields(let more) {
            violations += more
        }
    }

    /// Throws what was found: one violation as ``StoreError/invalid(field:reason:)``, several as
    /// ``StoreError/invalidFields(_:)``.
    func finish() throws(StoreError) {
        switch violations.count {
        case 0: return
        case 1: throw .invalid(field: violations[0].field, reason: violations[0].reason)
        default: throw .invalidFields(violations)
        }
    }
}
