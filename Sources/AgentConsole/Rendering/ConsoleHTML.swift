import Mustache

/// How every console template escapes what it shows, and ``ReplyMarkdown`` the text of a reply: HTML's five
/// special characters, byte by byte in UTF-8.
///
/// swift-mustache's own HTML escaping looks characters up as Swift `Character`s, and a quote followed by
/// a combining mark (`"` + U+0301) is one `Character` that matches no entry: its quote was written raw,
/// and text in an attribute could end it and add attributes of its own (a search query, a connection's
/// name in a button's label). A byte is never merged with what follows it.
struct ConsoleHTML: MustacheContentType {
    /// The name templates use in their `CONTENT_TYPE` pragma.
    static let name = "CONSOLE_HTML"

    /// Put in front of every template: partials and parents start over with the library's default.
    static let pragma = "{{% CONTENT_TYPE: \(name) }}"

    func escapeText(_ text: String) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count)
        Self.escape(text.utf8, into: &escaped)
        return String(decoding: escaped, as: UTF8.self)
    }

    /// Appends `bytes` with HTML's five special characters escaped.
    static func escape(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
    }
}
