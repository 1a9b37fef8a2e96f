/// Why a provider call produced no (complete) reply.
///
/// It never holds provider text: an error's message could echo the request, a key, or anything else.
/// Only a short machine-usable kind (such as `overloaded_error` or `rate_limit_exceeded`) is kept.
public enum ProviderFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The provider reported an error; `kind` is its error type or code, sanitized.
    case provider(kind: String)
    /// The response broke the wire protocol.
    case protocolViolation(ProtocolViolation)
    /// The provider sent nothing for longer than the idle timeout in the middle of its response.
    case timedOut
    /// The connection broke in the middle of the response.
    case connectionLost
    /// The provider refused the prompt as longer than the model's context window.
    case contextLengthExceeded

    public var description: String {
        switch self {
        case .provider(let kind): "provider error \(kind)"
        case .protocolViolation(let violation): "protocol violation: \(violation)"
        case .timedOut: "the provider went silent in the middle of its response"
        case .connectionLost: "the connection to the provider broke in the middle of its response"
        case .contextLengthExceeded: "the prompt is longer than the model's context window"
        }
    }
}
