import Crypto
import HTTPTypes
import Hummingbird

/// Answers 429 with `Retry-After` before anything else of a request runs (no database, no token check)
/// when its client address or its credential is over its rate, or its address has failed authentication
/// too often.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let limits: RateLimits
    let limiter = RequestRateLimiter()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let address = limits.clientAddress(
            peer: context.clientAddress, forwardedFor: request.headers[values: RateLimits.forwardedFor]
        ).map(RateLimits.countedPrefix)
        if let address, let rate = limits.failedAuthentications, let wait = limiter.waitTime("failed:\(address)", rate) {
            throw Problem.tooManyRequests(retryAfter: wait)
        }
        if let address, let rate = limits.perAddress, let wait = limiter.take("address:\(address)", rate) {
            throw Problem.tooManyRequests(retryAfter: wait)
        }
        // The credential as authentication reads it: `bearer`, `Bearer` and extra spaces name one token.
        if let rate = limits.perCredential, let header = request.headers[.authorization],
            let wait = limiter.take("credential:\(Self.fingerprint(BearerAuthenticator.bearerToken(header) ?? header))", rate)
        {
            throw Problem.tooManyRequests(retryAfter: wait)
        }
        do {
            let response = try await next(request, context)
            if response.status == .unauthorized { recordFailure(address) }
            return response
        } catch {
            if Problem(from: error, bodyLimit: context.maxUploadSize).status == .unauthorized { recordFailure(address) }
            throw error
        }
    }

    private func recordFailure(_ address: String?) {
        guard let address, let rate = limits.failedAuthentications else { return }
        _ = limiter.take("failed:\(address)", rate)
    }

    /// A credential's bucket key: a hash, so the limiter never holds a token.
    static func fingerprint(_ credential: String) -> String {
        SHA256.hash(data: Array(credential.utf8)).prefix(12).map { String($0, radix: 16) }.joined()
    }
}
