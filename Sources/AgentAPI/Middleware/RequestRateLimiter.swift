import Synchronization

/// Token buckets by key, in memory: each key holds up to `burst` tokens, refilled at `perSecond`; a
/// request takes one. Bounded: when it holds too many keys, the ones whose buckets are full again (idle
/// long enough) are dropped.
final class RequestRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let maximumKeys: Int

    init(maximumKeys: Int = 100_000) {
        self.maximumKeys = maximumKeys
    }

    /// Takes a token from `key`'s bucket: nil when there was one, else how long until there is.
    func take(_ key: String, _ rate: RateLimits.Rate, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = Self.refilled(buckets[key], rate, now: now)
            defer {
                buckets[key] = bucket
                if buckets.count > maximumKeys { Self.prune(&buckets, rate, now: now) }
            }
            guard bucket.tokens >= 1 else { return Self.wait(for: 1 - bucket.tokens, rate) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// How long until `key` has a token, without taking one; nil when it has one now.
    func waitTime(_ key: String, _ rate: RateLimits.Rate, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            let bucket = Self.refilled(buckets[key], rate, now: now)
            return bucket.tokens >= 1 ? nil : Self.wait(for: 1 - bucket.tokens, rate)
        }
    }

    private static func refilled(_ bucket: Bucket?, _ rate: RateLimits.Rate, now: ContinuousClock.Instant) -> Bucket {
        guard let bucket else { return Bucket(tokens: rate.burst, updated: now) }
        let (seconds, attoseconds) = (now - bucket.updated).components
        let elapsed = Double(seconds) + Double(attoseconds) * 1e-18
        return Bucket(tokens: min(rate.burst, bucket.tokens + elapsed * rate.perSecond), updated: now)
    }

    private static func wait(for missing: Double, _ rate: RateLimits.Rate) -> Duration {
        .milliseconds(Int((missing / max(rate.perSecond, 1e-9) * 1000).rounded(.up)))
    }

    private static func prune(_ buckets: inout [String: Bucket], _ rate: RateLimits.Rate, now: ContinuousClock.Instant) {
        buckets = buckets.filter { refilled($0.value, rate, now: now).tokens < rate.burst }
    }
}
