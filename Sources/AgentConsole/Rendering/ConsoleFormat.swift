import AgentAPI
import AgentStore
import Foundation

/// How the console writes values people read.
enum ConsoleFormat {
    /// `2026-12-03 14:22 UTC`: one zone for every reader, as the API's timestamps are UTC.
    static func time(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// What a conversation is called on a page: its title, or, untitled (no message yet, or a blank title
    /// stored before titles had to hold a word), the id a client chose for it, but not one the platform
    /// generated, which means nothing to a reader.
    static func conversationTitle(_ title: String?, id: ConversationID) -> String {
        if let title, title.contains(where: { !$0.isWhitespace }) { return title }
        return UUID(uuidString: id.rawValue) == nil ? id.rawValue : "Untitled conversation"
    }

    /// A path segment with everything but unreserved characters percent-encoded (``PathSegment``).
    static func segment(_ value: String) -> String { PathSegment.encoded(value) }
}
