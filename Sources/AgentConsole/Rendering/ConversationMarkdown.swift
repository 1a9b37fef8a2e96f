import AgentReplies
import AgentStore

/// A thread of a conversation as a Markdown file: the title, then each message under a heading naming
/// its speaker, as typed or as generated. A reply that did not end well says how it ended, in the
/// platform's words (never a provider's).
struct ConversationMarkdown {
    let title: String
    let agentName: String
    /// Oldest first.
    let messages: [Message]
    /// False when earlier messages were left out.
    let complete: Bool

    var text: String {
        var out = "# \(Self.line(title))\n\n"
        if !complete {
            out += "_Earlier messages of this thread are left out._\n\n"
        }
        for message in messages {
            let speaker = message.role == .assistant ? agentName : (message.role == .user ? "You" : message.role.rawValue)
            out += "## \(Self.line(speaker))\n\n"
            // Without its trailing line breaks: the blank line after it is the file's.
            let content = message.content
            if let last = content.lastIndex(where: { !$0.isNewline }) { out += content[...last] + "\n\n" }
            if let ending = Self.ending(of: message) { out += "_\(ending)_\n\n" }
        }
        return out
    }

    /// How a reply ended when it did not complete.
    private static func ending(of message: Message) -> String? {
        switch message.status {
        case .complete: nil
        case .streaming: "(Still being written.)"
        case .cancelled: "(Stopped.)"
        case .failed: "(The reply failed.\(message.generation?.error.map { " " + ReplyFailure(storedSlug: $0).detail } ?? ""))"
        }
    }

    /// A heading's text on one line: a title or a name with a line break would end the heading there.
    private static func line(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
