import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

// MARK: Why a provider was not reached

extension ProviderClient {
    /// Whether `error` says no connection was made, so the request never left: refused or unreachable
    /// (NIO's connect errors), or a connect that timed out.
    static func neverConnected(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if case ChannelError.connectTimeout = error { return true }
        if let error = error as? HTTPClientError { return error == .connectTimeout }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        return false
    }

    /// The reason behind an error thrown before the response head; the error itself is not kept, since
    /// its text may name the URL.
    static func unreachable(_ error: any Error) -> ProviderCallError {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return .unreachable(.tlsFailed)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout:
                // No connection was made: the request never left.
                return .unreachable(.connectTimedOut)
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .unreachable(.timedOut)
            case .remoteConnectionClosed:
                return .unreachable(.connectionClosed)
            default:
                return .unreachable(.connectionFailed)
            }
        }
        if case ChannelError.connectTimeout = error { return .unreachable(.connectTimedOut) }
        if let error = error as? NIOConnectionError, error.dnsAAAAError != nil || error.dnsAError != nil,
            error.connectionErrors.isEmpty
        {
            return .unreachable(.nameNotResolved)
        }
        return .unreachable(.connectionFailed)
    }
}
