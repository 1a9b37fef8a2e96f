import Mustache

/// How every console template escapes what it shows: HTML's five special characters, scalar by scalar.
///
/// swift-mustache's own HTML escaping looks characters up as Swift `Character`s, and a quote followed by
/// a combining mark (`"` + U+0301) is one `Character` that matches no entry: its quote was written raw,
/// and text in an attribute could end it and add attributes of its own (a search query, a connection's
/// name in a button's label). A scalar is never merged with what follows it.
struct ConsoleHTML: MustacheContentType {
    /// The name templates use in their `CONTENT_TYPE` pragma.
    static let name = "CONSOLE_HTML"

    /// Put in front of every template: partials and parents start over with the library's default.
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"

    func escapeText(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
