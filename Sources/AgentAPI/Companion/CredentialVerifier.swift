import AgentStore
import Foundation
import HTTPTypes
import Logging

/// Checks a credential a person types in (a personal token, or a JSON Web Token where those are
/// configured) the way the API checks a bearer credential: for a companion's sign-in form.
public struct CredentialVerifier: Sendable {
    let authenticator: BearerAuthenticator

    /// The user and scopes `credential` grants, or `nil` when it is not valid (malformed, unknown,
    /// revoked, expired, or a JWT that does not verify). Throws only when the check could not be made
    /// (the database is away).
    public func verify(_ credential: String, requestID: String, logger: Logger) async throws -> VerifiedCredential? {
        let value = credential.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty, value.utf8.count <= 8192 else { return nil }
        if value.hasPrefix("ap_") {
            guard let presented = PresentedToken(value),
                let user = try await authenticator.store.authenticate(presented, requestID: requestID)
            else { return nil }
            return VerifiedCredential(user: user, token: presented, expiresAt: nil)
        }
        guard let jwt = authenticator.jwt else { return nil }
        do {
            let verified = try await jwt.user(for: value, requestID: requestID, logger: logger)
            return VerifiedCredential(
                user: AuthenticatedToken(userID: verified.userID, scopes: TokenScope.all), token: nil,
                expiresAt: verified.expiresAt)
        } catch let problem as Problem where problem.status == .unauthorized {
            return nil
        }
    }
}

/// A credential that passed ``CredentialVerifier/verify(_:requestID:logger:)``.
public struct VerifiedCredential: Sendable {
    /// The user and the scopes it grants.
    public let user: AuthenticatedToken
    /// The personal token it was, so that what it starts (a console session) can end with it; nil for a
    /// JSON Web Token.
    public let token: PresentedToken?
    /// When it stops being valid, where only the credential says so (a JWT's `exp`): what it starts ends
    /// then too. A personal token's expiry is the store's to apply.
    public let expiresAt: Date?
}
