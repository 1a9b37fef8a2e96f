import Foundation
import Hummingbird

/// Fields written as an HTML form writes them (`application/x-www-form-urlencoded`): `name=value` pairs
/// joined by `&`, a space as `+`, any other byte percent-encoded.
///
/// The API reads its query strings so: a client's URL library (Python's, a browser's `URLSearchParams`, a
/// GET form) writes `q=deploy+lisbon` for "deploy lisbon", which read as a URI's query parameters searched
/// for the text `deploy+lisbon`, and an `after` naming the conversation `my chat` named nothing.
public struct FormFields: Sendable {
    /// Names and values, decoded, in the order written.
    public let pairs: [(name: String, value: String)]

    public init(_ text: some StringProtocol) {
        pairs = text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The value of `name`, the last one written when it is repeated; nil when absent.
    public subscript(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// A `+` is a space; a percent-encoding that is not valid UTF-8 is kept as written.
    private static func decode(_ part: some StringProtocol) -> String {
        guard part.contains(where: { $0 == "+" || $0 == "%" }) else { return String(part) }
        return part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
    }
}

extension Request {
    /// The query string's fields, read as a form writes them (``FormFields``).
    public var queryFields: FormFields { FormFields(uri.query ?? "") }
}
