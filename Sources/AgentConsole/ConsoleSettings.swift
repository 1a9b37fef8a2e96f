/// How the web console runs: how long a sign-in lasts and may sit unused, and whether its cookies are marked
/// `Secure`.
public struct ConsoleSettings: Sendable, Equatable {
    /// How long a session lasts after sign-in at most; use does not extend it.
    public var sessionLifetime: Duration
    /// Marks cookies `Secure` (sent over TLS only): on wherever the console is served over HTTPS, including
    /// behind a proxy that ends TLS. Requests a proxy says came over TLS (`X-Forwarded-Proto`, `Forwarded`) get
    /// it anyway.
    public var secureCookies: Bool
    /// How long a session may go unused before it ends (checked to the minute).
    public var idleTimeout: Duration

    public init(
        sessionLifetime: Duration = .seconds(12 * 3600), secureCookies: Bool = false, idleTimeout: Duration = .seconds(3600)
    ) {
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
        self.idleTimeout = idleTimeout
    }
}
