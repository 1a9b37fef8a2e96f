/// How many requests the API takes before it answers 429, decided in memory before the database is
/// touched: per client address, per credential, and failed authentications per address. Nil turns a
/// limit off.
public struct RateLimits: Sendable, Equatable, CustomStringConvertible {
    /// A sustained rate and the burst allowed above it.
    public struct Rate: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        /// `perSecond` sustained, bursts of twice that (at least 10).
        public init(perSecond: Double) {
            self.perSecond = perSecond
            self.burst = max(10, perSecond * 2)
        }

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    public var perAddress: Rate?
    public var perCredential: Rate?
    /// Requests whose credentials failed, per address: beyond it every request of that address is a 429
    /// until the bucket refills, so guessing tokens is slow and costs the database nothing.
    public var failedAuthentications: Rate?
    /// Proxies whose `X-Forwarded-For` is believed (addresses as ``normalizedAddress(_:)`` writes them);
    /// empty, the header is ignored, since any client can send it.
    public var trustedProxies: Set<String>

    public init(
        perAddress: Rate? = nil, perCredential: Rate? = nil, failedAuthentications: Rate? = nil,
        trustedProxies: Set<String> = []
    ) {
        self.perAddress = perAddress
        self.perCredential = perCredential
        self.failedAuthentications = failedAuthentications
        self.trustedProxies = trustedProxies
    }

    /// No limits (tests, benchmarks).
    public static let off = RateLimits()

    public var description: String {
        func text(_ rate: Rate?) -> String { rate.map { "\($0.perSecond)/s" } ?? "off" }
        return
            "RateLimits(address: \(text(perAddress)), credential: \(text(perCredential)), failed: \(text(failedAuthentications)), "
            + "trusted proxies: \(trustedProxies.count))"
    }
}
