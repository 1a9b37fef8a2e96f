import AgentStore
import Hummingbird
import NIOCore

/// The per-request state: the request id, the body limit and, once authenticated, the tenant; and the
/// API's JSON coders, through which handlers take and return typed bodies.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id logged on every line of this request and echoed in `X-Request-Id`.
    public var requestID: String
    /// Who the request says it is (see `RequestCredential`); every store call runs as that tenant.
    var credential: RequestCredential?
    /// The client's IP address, for rate limits; nil where there is none (tests in memory).
    public var clientAddress: String?
    /// The client's connection, where a handler needs to learn that the client hung up (`ClientHangUp`).
    let connection: any Channel
    /// Set from `APIConfiguration.maximumBodySize` by the first middleware.
    public var maxUploadSize: Int
    /// What became of the credential, for the middlewares outside authentication (see ``CredentialOutcome``).
    public let credentialOutcome = CredentialOutcome()

    /// Strict JSON bodies: the limit above, a depth limit, no unknown fields.
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    /// Every body, problems included, written by `JSONStreamEncoder`.
    public var responseEncoder: APIResponseEncoder { APIResponseEncoder() }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.credential = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress
        self.connection = source.channel
        self.maxUploadSize = 1024 * 1024
    }

    /// Runs the rest of the request as `user`, checked by a companion's own means (a console session);
    /// the API's routes mounted behind it (`APIParts.addChatRoutes`) then serve that tenant.
    public mutating func authenticate(as user: AuthenticatedToken) {
        credential = .user(user.userID, scopes: user.scopes)
        credentialOutcome.note(tenant: user.userID)
    }

    /// The user the request was authenticated as, if it was.
    public var authenticatedUser: UserID? { credential?.userID }

    /// What the request's credential allows; empty before authentication. A personal token not checked
    /// yet counts as the scope it is to be checked for.
    public var authenticatedScopes: Set<TokenScope> {
        switch credential {
        case .user(_, let scopes): scopes
        case .token(_, let required, _): [required]
        case nil: []
        }
    }

    /// The request's tenant; routes behind the authenticator always have one.
    func tenant() throws -> UserID {
        guard let credential else { throw Problem.unauthorized() }
        return credential.userID
    }
}
