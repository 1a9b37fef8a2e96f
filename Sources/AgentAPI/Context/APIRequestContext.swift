import AgentStore
import Hummingbird

/// The per-request state: the request id, the body limit and, once authenticated, the tenant.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id logged on every line of this request and echoed in `X-Request-Id`.
    public var requestID: String
    /// Who the request says it is (see `RequestCredential`); every store call runs as that tenant.
    var credential: RequestCredential?
    /// Set from `APIConfiguration.maximumBodySize` by the first middleware.
    public var maxUploadSize: Int

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.credential = nil
        self.maxUploadSize = 1024 * 1024
    }

    /// The request's tenant; routes behind the authenticator always have one.
    func tenant() throws -> UserID {
        guard let credential else { throw Problem.unauthorized() }
        return credential.userID
    }
}
