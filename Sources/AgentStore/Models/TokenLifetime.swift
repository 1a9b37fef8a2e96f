/// How long personal tokens live, as the operator sets it: every token expires.
public struct TokenLifetime: Sendable, Equatable {
    /// The lifetime of a token created without one.
    public let defaultDays: Int
    /// The longest lifetime a token may be given.
    public let maximumDays: Int

    /// The platform's defaults: 90 days, at most 365.
    public static let standard = TokenLifetime(defaultDays: 90, maximumDays: 365)

    /// `defaultDays` is clamped to `1...maximumDays`, so the default is always a lifetime one may ask for.
    public init(defaultDays: Int, maximumDays: Int) {
        self.maximumDays = max(1, maximumDays)
        self.defaultDays = min(max(1, defaultDays), self.maximumDays)
    }
}
