import AgentStore
import JWTKit
import Logging

/// Checks JSON Web Tokens against the configured keys, issuer and audience, and maps `sub` to a user,
/// creating it on first sight when so configured.
struct JWTAuthenticator: Sendable {
    let keys: JWTKeyCollection
    let configuration: JWTConfiguration
    let store: AgentStore

    /// Loads the HS256 secret and the JWKS; a JWKS that does not parse is reported by its variable.
    init(configuration: JWTConfiguration, store: AgentStore) async throws {
        let keys = JWTKeyCollection()
        if let secret = configuration.hs256Secret {
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        }
        if let jwks = configuration.jwks {
            do {
                try await keys.add(jwksJSON: jwks)
            } catch {
                throw APIConfigurationError(variable: "JWT_JWKS_FILE", reason: "is not a usable JSON Web Key Set")
            }
        }
        self.keys = keys
        self.configuration = configuration
        self.store = store
    }

    /// The user `token` speaks for; any failure is a 401 that does not say what failed.
    func user(for token: String, requestID: String, logger: Logger) async throws -> UserID {
        let claims: PlatformClaims
        do {
            claims = try await keys.verify(token, as: PlatformClaims.self)
        } catch {
            logger.debug("JWT rejected", metadata: ["reason": "\(type(of: error))"])
            throw Problem.unauthorized()
        }
        if let issuer = configuration.issuer, claims.iss?.value != issuer { throw Problem.unauthorized() }
        if let audience = configuration.audience, !(claims.aud?.value.contains(audience) ?? false) {
            throw Problem.unauthorized()
        }
        guard let userID = UserID(rawValue: claims.sub.value) else { throw Problem.unauthorized() }
        try await ensureUser(userID, claims: claims, requestID: requestID)
        return userID
    }

    // MARK: Provisioning

    private func ensureUser(_ userID: UserID, claims: PlatformClaims, requestID: String) async throws {
        let provision = configuration.autoProvision
        let email = claims.email
        do {
            try await store.withTenant(userID, requestID: requestID) { session in
                if try await session.currentUserIfExists() != nil { return }
                guard provision, let email else { throw Problem.unauthorized() }
                _ = try await session.createCurrentUser(email: email, displayName: claims.name)
            }
        } catch let error as StoreError {
            guard case .conflict = error else { throw Self.claimProblem(error) ?? error }
            // Another request may have provisioned the same user first; anything else (an email taken by
            // another user) stands.
            let exists = try await store.withTenant(userID, requestID: requestID) { try await $0.currentUserIfExists() != nil }
            if !exists { throw error }
        }
    }

    /// A 401 for a claim the store refuses, naming the claim but not its value.
    private static func claimProblem(_ error: StoreError) -> Problem? {
        guard case .invalid(let field, _) = error else { return nil }
        return Problem.unauthorized("The token's \(field == .displayName ? "name" : "email") claim is not acceptable.")
    }
}
