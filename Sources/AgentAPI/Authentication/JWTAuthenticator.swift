import AgentStore
import Foundation
import JWTKit
import Logging
import Metrics

/// Checks JSON Web Tokens against the configured keys, issuer and audience, and maps the token's
/// (`iss`, `sub`) to a user (``AgentStore/UserID/jwt(issuer:subject:)``), creating it on first sight when
/// so configured.
struct JWTAuthenticator: Sendable {
    /// Clock difference tolerated with the issuer on `exp`, `nbf` and `iat`.
    static let leeway: TimeInterval = 60
    /// The longest a token may live from its issue: a longer one is refused, however it is signed.
    static let maximumLifetime: TimeInterval = 24 * 60 * 60

    /// The HS256 secret's key: verifies tokens without a `kid` whose header names HS256.
    let hs256: JWTKeyCollection?
    /// The JWKS's keys: verify tokens whose `kid` names one of them, with that key's own algorithm.
    let keySet: JWTKeySet?
    let configuration: JWTConfiguration
    let store: AgentStore
    /// Users created from tokens, process-wide (`JWTConfiguration.provisioningRate`).
    let provisioning = RequestRateLimiter(maximumKeys: 1)
    /// Where refusals are counted, by reason (`jwt_rejections_total`): a wrong issuer or audience setting,
    /// or a provider's rotated keys, turns every JWT user's request into a 401, which the debug log alone
    /// would not show.
    let metrics: any MetricsFactory

    /// Loads the HS256 secret and the JWKS; a JWKS that cannot be used, or one without an issuer and an
    /// audience to check, is reported by its variable.
    init(configuration: JWTConfiguration, store: AgentStore, metrics: any MetricsFactory) async throws {
        self.metrics = metrics
        if let secret = configuration.hs256Secret {
            let keys = JWTKeyCollection()
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            hs256 = keys
        } else {
            hs256 = nil
        }
        if let jwks = configuration.jwks {
            // A key set is a third party's keys: without both checks, a token that provider issued for
            // another application (or another provider's user) would be accepted here.
            guard configuration.issuer != nil, configuration.audience != nil else {
                throw APIConfigurationError(variable: "JWT_ISSUER", reason: "and JWT_AUDIENCE are required with JWT_JWKS_FILE")
            }
            do {
                keySet = try await JWTKeySet(json: jwks)
            } catch {
                throw APIConfigurationError(variable: "JWT_JWKS_FILE", reason: "is not a usable JSON Web Key Set: \(error)")
            }
        } else {
            keySet = nil
        }
        self.configuration = configuration
        self.store = store
    }

    /// The user `token` speaks for, and until when; any failure is a 401 that does not say what failed.
    func user(for token: String, requestID: String, logger: Logger) async throws -> JWTUser {
        let claims: PlatformClaims
        do {
            claims = try await verified(token, now: Date())
        } catch {
            logger.debug("JWT rejected", metadata: ["reason": "\(error.reason)"])
            // The reasons are the few texts below (an error's type at most): no unbounded label.
            Counter(label: "jwt_rejections_total", dimensions: [("reason", error.reason)], factory: metrics).increment()
            throw Problem.unauthorized()
        }
        let userID = UserID.jwt(issuer: claims.iss?.value ?? "", subject: claims.sub.value)
        try await ensureUser(userID, claims: claims, requestID: requestID, logger: logger)
        return JWTUser(userID: userID, expiresAt: claims.exp.value)
    }

    // MARK: Verification

    /// Why a token was refused, for the debug log only (never the token or a claim's value).
    private struct Rejection: Error {
        let reason: String
    }

    /// The token's claims once its key, algorithm, signature, times, issuer and audience all hold.
    private func verified(_ token: String, now: Date) async throws(Rejection) -> PlatformClaims {
        guard let header = TokenHeader(token: token) else { throw Rejection(reason: "header") }
        guard header.crit == nil else { throw Rejection(reason: "crit") }
        let keys: JWTKeyCollection
        if let kid = header.kid {
            // Only the named key: JWTKit would fall back to its default key for an unknown kid.
            guard let keySet, let algorithm = keySet.algorithms[kid] else { throw Rejection(reason: "unknown kid") }
            guard header.alg == algorithm else { throw Rejection(reason: "alg does not match the key") }
            keys = keySet.keys
        } else {
            guard let hs256 else { throw Rejection(reason: "no kid") }
            guard header.alg == "HS256" else { throw Rejection(reason: "alg is not HS256") }
            keys = hs256
        }
        let claims: PlatformClaims
        do {
            claims = try await keys.verify(token, as: PlatformClaims.self)
        } catch {
            throw Rejection(reason: "\(type(of: error))")
        }
        guard claims.isCurrent(at: now, leeway: Self.leeway, maximumLifetime: Self.maximumLifetime) else {
            throw Rejection(reason: "times")
        }
        if let issuer = configuration.issuer, claims.iss?.value != issuer { throw Rejection(reason: "iss") }
        if let audience = configuration.audience, !(claims.aud?.value.contains(audience) ?? false) {
            throw Rejection(reason: "aud")
        }
        guard !claims.sub.value.isEmpty else { throw Rejection(reason: "sub") }
        return claims
    }

    // MARK: Provisioning

    /// Makes sure the user exists, creating it when provisioning is on and the provider verified the email.
    /// Every refusal is the same 401: whether an email is taken is not for a token holder to learn.
    private func ensureUser(_ userID: UserID, claims: PlatformClaims, requestID: String, logger: Logger) async throws {
        let provision = configuration.autoProvision && claims.emailVerified == true
        let email = claims.email
        do {
            try await store.withTenant(userID, requestID: requestID) { session in
                if try await session.currentUserIfExists() != nil { return }
                guard provision, let email else { throw Problem.unauthorized() }
                if let wait = provisioning.take("provisioning", configuration.provisioningRate) {
                    logger.warning("JWT user provisioning is over its rate")
                    throw Problem.tooManyRequests(retryAfter: wait)
                }
                _ = try await session.createCurrentUser(email: email, displayName: claims.name)
            }
        } catch let error as StoreError {
            guard case .conflict = error else { throw Self.claimProblem(error) ?? error }
            // Another request may have provisioned the same user first; otherwise the email belongs to
            // another user, which a generic 401 does not tell.
            let exists = try await store.withTenant(userID, requestID: requestID) { try await $0.currentUserIfExists() != nil }
            if !exists {
                logger.debug("JWT user not provisioned", metadata: ["reason": "conflict"])
                throw Problem.unauthorized()
            }
        }
    }

    /// A 401 for a claim the store refuses, naming the claim but not its value.
    private static func claimProblem(_ error: StoreError) -> Problem? {
        let fields: [StoreField]
        switch error {
        case .invalid(let field, _): fields = [field]
        case .invalidFields(let violations): fields = violations.map(\.field)
        default: return nil
        }
        let claims = fields.map { $0 == .displayName ? "name" : "email" }.joined(separator: " and ")
        return Problem.unauthorized("The token's \(claims) \(fields.count == 1 ? "claim is" : "claims are") not acceptable.")
    }
}
