import AgentStore
import Foundation
import Hummingbird
import Logging

/// Resolves `Authorization: Bearer ...` to a user: personal API tokens (`ap_...`) through the store, so
/// revocation takes effect at once, and JSON Web Tokens when configured.
struct BearerAuthenticator: Sendable {
    let store: AgentStore
    let jwt: JWTAuthenticator?

    /// The request's credential, allowed `required`: a 401 when it is not valid, a 403 when its scopes do
    /// not allow `required`. A personal token is checked now, unless `inTransaction`: then it is only
    /// parsed, and the request's first transaction checks it, scopes included.
    func credential(
        for request: Request, required: TokenScope, inTransaction: Bool, requestID: String, logger: Logger
    ) async throws -> RequestCredential {
        guard let token = Self.bearerToken(request.headers[.authorization]) else { throw Problem.unauthorized() }
        if token.hasPrefix("ap_") {
            guard let presented = PresentedToken(token) else { throw Problem.unauthorized() }
            if inTransaction { return .token(presented, required: required, check: TokenCheck()) }
            guard let authenticated = try await store.authenticate(presented, requestID: requestID) else {
                throw Problem.unauthorized()
            }
            guard authenticated.scopes.allow(required) else { throw Problem.forbidden(needing: required) }
            return .user(authenticated.userID, scopes: authenticated.scopes)
        }
        guard let jwt else { throw Problem.unauthorized() }
        return .user(try await jwt.user(for: token, requestID: requestID, logger: logger).userID, scopes: TokenScope.all)
    }

    /// Checks a personal token in a transaction of its own; a 401 when it is not valid, a 403 when its
    /// scopes do not allow `required`.
    func check(_ token: PresentedToken, required: TokenScope, requestID: String) async throws {
        guard let authenticated = try await store.authenticate(token, requestID: requestID) else { throw Problem.unauthorized() }
        guard authenticated.scopes.allow(required) else { throw Problem.forbidden(needing: required) }
    }

    /// The credentials of a `Bearer` authorization, if the header is one and they are plausible.
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.utf8.count <= 8192 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return nil
        }
        return token
    }
}
