/// How a provider's response broke its wire protocol.
public enum ProtocolViolation: Hashable, Sendable, CustomStringConvertible {
    /// A payload that should be JSON is not, or lacks what the protocol requires.
    case malformedJSON
    /// One server-sent event, a whole reply, or the text read and not yet taken grew past the limit, in bytes.
    case eventTooLarge(limit: Int)
    /// The stream ended before the protocol's end marker and before any finish reason.
    case endedEarly

    public var description: String {
        switch self {
        case .malformedJSON: "malformed JSON from the provider"
        case .eventTooLarge(let limit): "a streamed event larger than \(limit) bytes"
        case .endedEarly: "the stream ended before the reply did"
        }
    }
}
