import Crypto
import HTTPTypes
import Hummingbird

/// Answers 429 with `Retry-After` before anything else of a request runs (no database, no token check)
/// when its client address or its credential is over its rate, or its address has failed authentication
/// too often.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let limits: RateLimits
    /// The buckets, shared by every route group the limits guard (the API's and a companion's), so that a
    /// client's allowance is one allowance wherever it spends it.
    let limiter: RequestRateLimiter
    /// Whether a request presents a credential besides a bearer token: what a companion's routes take (a
    /// sign-in form, a session cookie).
    var carriesOtherCredential: @Sendable (Request) -> Bool = { _ in false }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let address = limits.clientAddress(
            peer: context.clientAddress, forwardedFor: request.headers[values: RateLimits.forwardedFor]
        ).map(RateLimits.countedPrefix)
        // An address that failed lately holds one of its remaining failures for each request with a credential
        // while it runs, given back unless it fails: concurrent guesses cannot outrun the bucket, which a
        // check at the start and a charge at the 401 let them do.
        var holdsAFailure = false
        if let address, let rate = limits.failedAuthentications {
            let carriesCredential = request.headers[.authorization] != nil || carriesOtherCredential(request)
            switch limiter.admit("failed:\(address)", rate, holding: carriesCredential) {
            case .refused(let wait): throw Problem.tooManyRequests(retryAfter: wait)
            case .admitted(let holding): holdsAFailure = holding
            }
        }
        if let address, let rate = limits.perAddress, let wait = limiter.take("address:\(address)", rate) {
            giveBackTheFailure(of: address, if: holdsAFailure)
            throw Problem.tooManyRequests(retryAfter: wait)
        }
        // The credential as authentication reads it: `bearer`, `Bearer` and extra spaces name one token.
        if let rate = limits.perCredential, let header = request.headers[.authorization],
            let wait = limiter.take("credential:\(Self.fingerprint(BearerAuthenticator.bearerToken(header) ?? header))", rate)
        {
            giveBackTheFailure(of: address, if: holdsAFailure)
            throw Problem.tooManyRequests(retryAfter: wait)
        }
        do {
            let response = try await next(request, context)
            settle(address, answered: response.status, context: context, holdingAFailure: holdsAFailure)
            return response
        } catch {
            let status = Problem(from: error, bodyLimit: context.maxUploadSize).status
            settle(address, answered: status, context: context, holdingAFailure: holdsAFailure)
            throw error
        }
    }

    /// Charges a failed authentication to its address (a 401, or a refusal noted without one), or gives back
    /// the failure the request held.
    private func settle(
        _ address: String?, answered status: HTTPResponse.Status, context: Context, holdingAFailure: Bool
    ) {
        let failed = status == .unauthorized || context.credentialOutcome.isRefused
        guard let address, let rate = limits.failedAuthentications, failed != holdingAFailure else { return }
        if failed {
            _ = limiter.take("failed:\(address)", rate)
        } else {
            limiter.giveBack("failed:\(address)", rate)
        }
    }

    /// Gives back the failure a request held, when another limit refuses it before its credential is
    /// checked: kept, each such 429 spent one of its address's failures, and a client over its own rate
    /// locked out every other client at its address.
    private func giveBackTheFailure(of address: String?, if held: Bool) {
        guard held, let address, let rate = limits.failedAuthentications else { return }
        limiter.giveBack("failed:\(address)", rate)
    }

    /// A credential's bucket key: a hash, so the limiter never holds a token.
    static func fingerprint(_ credential: String) -> String {
        SHA256.hash(data: Array(credential.utf8)).prefix(12).map { String($0, radix: 16) }.joined()
    }
}
