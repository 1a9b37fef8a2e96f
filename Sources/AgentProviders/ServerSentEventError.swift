/// Why ``ServerSentEventParser`` stopped reading a stream.
public enum ServerSentEventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One event (its unfinished line, data, and name) grew past the parser's limit, in bytes.
    case eventTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .eventTooLarge(let limit): "server-sent event larger than \(limit) bytes"
        }
    }
}
