/// How the web console runs: how long a sign-in lasts, and whether its cookies are marked `Secure`.
public struct ConsoleSettings: Sendable, Equatable {
    /// How long a session lasts after sign-in; it is not extended by use.
    public var sessionLifetime: Duration
    /// Marks cookies `Secure` (sent over TLS only): on wherever the console is served over HTTPS, including
    /// behind a proxy that ends TLS. Requests that arrive with `X-Forwarded-Proto: https` get it anyway.
    public var secureCookies: Bool

    public init(sessionLifetime: Duration = .seconds(12 * 3600), secureCookies: Bool = false) {
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
    }
}
