/// A reply's Markdown, what models answer in, as HTML for the console's chat page: paragraphs, headings,
/// fenced code, quotes, lists and rules (CommonMark's common blocks), with GitHub's tables, strikethrough
/// and bare links.
///
/// Safe by construction: every byte of the text is escaped, the only markup is what this renderer writes,
/// and a link keeps an `http`, `https` or `mailto` target only (an image becomes a link: a reply must not
/// make the browser fetch anything). Linear in the text's length: delimiters are matched with stacks and
/// lookups computed once, nesting is bounded, so no reply, however hostile, makes a page slow.
enum ReplyMarkdown {
    /// Longer texts are shown as they are, in one escaped paragraph.
    static let renderedBytes = 200_000
    /// Quotes and lists nested deeper than this are shown as paragraphs.
    static let maximumDepth = 8

    typealias Line = ArraySlice<UInt8>

    /// The HTML of `text`.
    static func html(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        if bytes.count > renderedBytes {
            out.append(contentsOf: "<p class=\"plain\">".utf8)
            ConsoleHTML.escape(bytes[...], into: &out)
            out.append(contentsOf: "</p>\n".utf8)
        } else {
            blocks(lines(of: bytes), depth: 0, tight: false, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text's lines, without their ends. Tabs stay as they are: code (Go, a Makefile) keeps them, and
    /// only spaces indent Markdown's blocks here.
    static func lines(of bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            result.append(bytes[start..<index])
            start = index + 1
        }
        result.append(bytes[start...])
        return result.map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
    }

    // MARK: Output

    static func append(_ markup: String, to out: inout [UInt8]) { out.append(contentsOf: markup.utf8) }
}
