import Foundation

/// A conversation read as one of its threads: the messages from its first to the one it ends at, each
/// followed by the one after it, as the model saw them. Where a message was edited and sent again, or a
/// reply regenerated, the conversation branches, and each branch is a thread of its own.
public struct ConversationThread: Sendable {
    /// The thread's messages, oldest first; the last is the one it ends at.
    public var messages: [ThreadMessage]
    /// Whether the thread goes on before the first of `messages`.
    public var hasEarlier: Bool
    /// Whether it goes on after the last of them: a window of a long thread, read to show an early message
    /// (``TenantSession/thread(of:showing:limit:)``).
    public var hasLater: Bool

    public init(messages: [ThreadMessage], hasEarlier: Bool, hasLater: Bool = false) {
        self.messages = messages
        self.hasEarlier = hasEarlier
        self.hasLater = hasLater
    }

    /// Which thread to read.
    public enum End: Sendable, Equatable {
        /// The thread of the conversation's newest message.
        case newest
        /// The thread through this message, to the newest message after it (a version of a message, chosen).
        case through(MessageID)
        /// The thread that ends at exactly this message (its earlier messages).
        case at(MessageID)
    }
}

/// One message of a thread, with its place among its versions.
public struct ThreadMessage: Sendable {
    public var message: Message
    /// The message it follows: its parent, or, for one stored before parents were, the one before it; nil
    /// for a first message.
    public var follows: MessageID?
    public var versions: MessageVersions

    public init(message: Message, follows: MessageID?, versions: MessageVersions) {
        self.message = message
        self.follows = follows
        self.versions = versions
    }
}

/// The versions of a message: it and the messages that follow the same message (an edit sent again, a
/// regenerated reply), oldest first.
public struct MessageVersions: Sendable, Equatable {
    /// How many there are; 1 when the message has no other version.
    public var count: Int
    /// Its place among them, from 1.
    public var position: Int
    /// The version before it and the one after it.
    public var previous: MessageID?
    public var next: MessageID?

    public init(count: Int, position: Int, previous: MessageID?, next: MessageID?) {
        self.count = count
        self.position = position
        self.previous = previous
        self.next = next
    }
}
