/// Checks of user input, so a bad value is named before it reaches the database.
///
/// Lengths count Unicode scalars, as PostgreSQL's `length()` counts characters.
enum Field {
    static func text(_ value: String, _ field: StoreField, length: ClosedRange<Int>) throws(StoreError) {
        let count = value.unicodeScalars.count
        guard length.contains(count) else {
            throw .invalid(
                field: field,
                reason: length.lowerBound > 0 && count == 0
                    ? "must not be empty" : "must be \(length.lowerBound) to \(length.upperBound) characters")
        }
        // PostgreSQL text cannot hold NUL.
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw .invalid(field: field, reason: "must not contain NUL characters")
        }
    }

    /// A name or a title, which lists show as the link to what it names: text, and not blank, since a link
    /// of spaces alone is nothing to click.
    static func label(_ value: String, _ field: StoreField, length: ClosedRange<Int>) throws(StoreError) {
        try text(value, field, length: length)
        guard value.contains(where: { !$0.isWhitespace }) else { throw .invalid(field: field, reason: "must not be blank") }
    }

    static func optionalLabel(_ value: String?, _ field: StoreField, length: ClosedRange<Int>) throws(StoreError) {
        if let value { try label(value, field, length: length) }
    }

    static func optionalText(_ value: String?, _ field: StoreField, length: ClosedRange<Int>) throws(StoreError) {
        if let value { try text(value, field, length: length) }
    }

    static func identifier(_ value: String, _ field: StoreField) throws(StoreError) {
        try text(value, field, length: 1...200)
    }
}
