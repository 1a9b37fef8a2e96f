import AgentStore

/// How the HTTP API listens, limits requests and checks credentials.
///
/// Secrets (the HS256 secret, the JWKS document) live here but are never printed: `description` omits them.
public struct APIConfiguration: Sendable, CustomStringConvertible {
    /// Where the server listens.
    public var hostname: String
    public var port: Int
    /// The largest request body accepted, in bytes; larger bodies get 413.
    public var maximumBodySize: Int
    /// How long a connection may stay silent before it is closed: with no request in progress, or while a
    /// request's head or body is still arriving. Bounds what a client that opens connections and sends
    /// nothing (or half a request) can hold; a response being written is never cut by it.
    public var idleTimeout: Duration
    /// JSON Web Token settings; `nil` accepts personal API tokens only.
    public var jwt: JWTConfiguration?
    /// Requests taken before a 429, per client address and per credential; off unless set.
    public var rateLimits: RateLimits = .off
    /// The default and longest lifetime of a personal token created through the API.
    public var tokenLifetime: TokenLifetime
    /// Account exports this process runs at once; one more is a 503 with `Retry-After`. Each export holds a
    /// pooled connection while its client reads.
    public var maximumConcurrentExports = 2
    /// The longest an account export runs: a client that reads it slowly enough to keep its connection
    /// writable would otherwise hold a slot, a pooled connection and a snapshot for as long as it likes.
    public var longestExport: Duration = .seconds(900)
    /// Clients that one process serves following replies that run on another instance (each has the
    /// reply read every second); one more is a 429.
    public var maximumElsewhereFollowers = 256
    /// Cancels that wait in one process for another instance to stop a reply (each reads it ten times a
    /// second for up to 5 s); one more is a 503 with `Retry-After`.
    public var maximumElsewhereCancels = 64
    /// How often a cause of 503s is logged, with the count since its last line (``FailedRequestLog``).
    public var outageLogInterval: Duration = .seconds(10)

    public init(
        hostname: String = "127.0.0.1", port: Int = 8080, maximumBodySize: Int = 1024 * 1024,
        idleTimeout: Duration = .seconds(30), jwt: JWTConfiguration? = nil, tokenLifetime: TokenLifetime = .standard
    ) {
        self.hostname = hostname
        self.port = port
        self.maximumBodySize = maximumBodySize
        self.idleTimeout = idleTimeout
        self.jwt = jwt
        self.tokenLifetime = tokenLifetime
    }

    public var description: String {
        "APIConfiguration(\(hostname):\(port), maximumBodySize: \(maximumBodySize), idleTimeout: \(idleTimeout), \(rateLimits), tokenLifetime: \(tokenLifetime.defaultDays)/\(tokenLifetime.maximumDays) days, maximumConcurrentExports: \(maximumConcurrentExports), jwt: \(jwt.map(String.init(describing:)) ?? "off"))"
    }
}
