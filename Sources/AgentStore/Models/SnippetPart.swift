/// A piece of a search hit's snippet: plain text, highlighted where it matched the search. Never markup:
/// whoever shows it escapes the text and marks the highlighted parts in its own way.
public struct SnippetPart: Sendable, Equatable, Codable {
    public let text: String
    public let highlighted: Bool

    public init(text: String, highlighted: Bool) {
        self.text = text
        self.highlighted = highlighted
    }
}

extension SnippetPart {
    /// What starts and ends a highlighted word in `ts_headline`'s output. The text it marks has both
    /// removed first, so every one in the output is a marker.
    static let startMarker: Unicode.Scalar = "\u{1}"
    static let stopMarker: Unicode.Scalar = "\u{2}"

    /// Splits `ts_headline`'s output at its markers into parts, joining neighbours of the same kind and
    /// leaving out empty ones.
    static func parts(ofHeadline headline: String) -> [SnippetPart] {
        var parts: [SnippetPart] = []
        var current = String.UnicodeScalarView()
        var highlighted = false
        func flush() {
            guard !current.isEmpty else { return }
            let text = String(current)
            current = String.UnicodeScalarView()
            if let last = parts.last, last.highlighted == highlighted {
                parts[parts.count - 1] = SnippetPart(text: last.text + text, highlighted: highlighted)
            } else {
                parts.append(SnippetPart(text: text, highlighted: highlighted))
            }
        }
        for scalar in headline.unicodeScalars {
            switch scalar {
            case startMarker:
                flush()
                highlighted = true
            case stopMarker:
                flush()
                highlighted = false
            default:
                current.append(scalar)
            }
        }
        flush()
        return parts
    }
}
