/// How a `text/event-stream` ended, as reported by ``ServerSentEventParser/finish()``.
public enum ServerSentEventStreamEnd: Hashable, Sendable {
    /// Every byte belonged to a line and every event was terminated by a blank line.
    case clean
    /// Bytes of an unterminated line or event were left over and discarded, as the standard requires.
    case truncated
}
