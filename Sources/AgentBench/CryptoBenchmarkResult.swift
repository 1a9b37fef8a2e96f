/// Throughput of sealing and opening one API key, in operations per second.
public struct CryptoBenchmarkResult: Sendable, Codable, Equatable {
    public var sealPerSecond: Double
    public var openPerSecond: Double
    /// Seal-then-open pairs per second.
    public var pairPerSecond: Double

    public init(sealPerSecond: Double, openPerSecond: Double, pairPerSecond: Double) {
        self.sealPerSecond = sealPerSecond
        self.openPerSecond = openPerSecond
        self.pairPerSecond = pairPerSecond
    }

    // The seed script's JSON names.
    enum CodingKeys: String, CodingKey {
        case sealPerSecond = "seal_per_s"
        case openPerSecond = "open_per_s"
        case pairPerSecond = "pair_per_s"
    }
}
