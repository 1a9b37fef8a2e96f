/// Why a provider call failed before its reply began.
///
/// The description names the kind of failure, a status and a sanitized provider error kind at most:
/// never provider text, a URL, or a key.
public enum ProviderCallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the provider could not be reached.
    public enum Unreachable: Hashable, Sendable, CustomStringConvertible {
        /// The host name did not resolve.
        case nameNotResolved
        /// The resolver did not answer in time, or failed: the name may resolve later.
        case resolverUnavailable
        /// The connection was refused or could not be made.
        case connectionFailed
        /// TLS failed: a handshake error or a certificate that does not verify.
        case tlsFailed
        /// The connection (or its TLS handshake) took longer than its timeout: nothing was sent.
        case connectTimedOut
        /// The response head took longer than its timeout, after the request may have been sent.
        case timedOut
        /// The connection closed before the response head.
        case connectionClosed

        public var description: String {
            switch self {
            case .nameNotResolved: "its host name did not resolve"
            case .resolverUnavailable: "the name service did not answer for its host"
            case .connectionFailed: "the connection failed"
            case .tlsFailed: "TLS failed"
            case .connectTimedOut: "the connection took too long"
            case .timedOut: "it did not answer in time"
            case .connectionClosed: "it closed the connection before answering"
            }
        }
    }

    /// The host resolves to (or is) an address the address policy refuses: loopback, private, link-local...
    case refusedAddress(host: String)
    /// DNS, connect, TLS or a timeout before the response head.
    case unreachable(Unreachable)
    /// HTTP 429, with the provider's `Retry-After` when it gave one.
    case rateLimited(retryAfter: Duration?)
    /// HTTP 5xx.
    case unavailable(status: Int)
    /// Any other non-2xx status (401 for a bad key, 400, 404, a redirect that is not followed).
    case rejected(status: Int, failure: ProviderFailure)
    /// A 2xx whose body could not be read or reported an error (non-streamed calls only: a stream reports
    /// this as its last ``ReplyEvent/failed(_:)``).
    case failed(ProviderFailure)
    /// The calling task was cancelled.
    case cancelled

    /// Whether the next connection may be tried: the provider could not be reached or was overloaded, or
    /// refused this connection's key (revoked, out of credit: 401, 402, 403), or this connection's address
    /// is refused; another key or provider may do better. A refusal of the request itself (400, 404, the
    /// context window) would repeat.
    public var allowsFallback: Bool {
        switch self {
        case .unreachable, .rateLimited, .unavailable, .refusedAddress: true
        case .rejected(let status, _): Self.keyRefusals.contains(status)
        case .failed, .cancelled: false
        }
    }

    /// The statuses that refuse the key the call carried, not its request.
    private static let keyRefusals: Set<Int> = [401, 402, 403]

    /// Whether the provider may have read the prompt, and so bill for it: the request may have been sent and
    /// no answer refused it. A call stopped before it left, or answered with an error status, used nothing.
    public var mayHaveBeenBilled: Bool {
        switch self {
        // A timeout may have come after the request was sent; a close, after the provider read it.
        case .unreachable(.timedOut), .unreachable(.connectionClosed), .failed, .cancelled: true
        case .refusedAddress, .unreachable, .rateLimited, .unavailable, .rejected: false
        }
    }

    public var description: String {
        switch self {
        // Names the operator's setting: a host allowed on another port than the URL's was refused without a word on why.
        case .refusedAddress(let host):
            "the provider's host \(host) is not a public address, and PROVIDER_ALLOWED_HOSTS does not allow it on this port"
        case .unreachable(let reason): "the provider is unreachable: \(reason)"
        case .rateLimited(let retryAfter):
            "the provider is rate limiting" + (retryAfter.map { " (retry after \($0.components.seconds) s)" } ?? "")
        case .unavailable(let status): "the provider is unavailable (HTTP \(status))"
        case .rejected(let status, let failure): "the provider refused the request (HTTP \(status), \(failure))"
        case .failed(let failure): "the provider's reply failed: \(failure)"
        case .cancelled: "the provider call was cancelled"
        }
    }
}
