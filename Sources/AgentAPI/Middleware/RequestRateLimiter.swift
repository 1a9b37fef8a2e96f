import Synchronization

/// Token buckets by key, in memory: each key holds up to `burst` tokens, refilled at `perSecond`; a
/// request takes one. Bounded: when it holds too many keys, the ones whose buckets are full again (idle
/// long enough, at their own rate) are dropped, and if that is not enough, the fullest, down to nine
/// tenths of the bound, so that the next few thousand new keys do not each prune again.
final class RequestRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        /// Its own rate: one limiter holds buckets of several rates (addresses, credentials, failures).
        var rate: RateLimits.Rate
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
                if buckets.count > maximumKeys { Self.prune(&buckets, to: maximumKeys * 9 / 10, now: now) }
            }
            guard bucket.tokens >= 1 else { return Self.wait(for: 1 - bucket.tokens, rate) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Gives back a token taken from `key`'s bucket (never past its burst).
    func giveBack(_ key: String, _ rate: RateLimits.Rate, now: ContinuousClock.Instant = .now) {
        buckets.withLock { buckets in
            guard buckets[key] != nil else { return }
            var bucket = Self.refilled(buckets[key], rate, now: now)
            bucket.tokens = min(rate.burst, bucket.tokens + 1)
            buckets[key] = bucket
        }
    }

    /// What `admit` decided.
    enum Admission: Equatable {
        /// The bucket is empty: how long until it has a token.
        case refused(Duration)
        /// Whether a token was taken and is held for the request.
        case admitted(holding: Bool)
    }

    /// Admits a request while `key`'s bucket has a token, taking none; with `holding`, one that was drawn
    /// on lately (not full) gives the request one of its tokens to hold. One look at the bucket, under one lock.
    func admit(
        _ key: String, _ rate: RateLimits.Rate, holding: Bool, now: ContinuousClock.Instant = .now
    ) -> Admission {
        buckets.withLock { buckets in
            var bucket = Self.refilled(buckets[key], rate, now: now)
            guard bucket.tokens >= 1 else { return .refused(Self.wait(for: 1 - bucket.tokens, rate)) }
            // A full bucket is one no failure drew on, or all refilled: nothing to hold, and no key to add.
            guard holding, bucket.tokens < rate.burst else { return .admitted(holding: false) }
            bucket.tokens -= 1
            buckets[key] = bucket
            return .admitted(holding: true)
        }
    }

    private static func refilled(_ bucket: Bucket?, _ rate: RateLimits.Rate, now: ContinuousClock.Instant) -> Bucket {
        guard let bucket else { return Bucket(tokens: rate.burst, updated: now, rate: rate) }
        let (seconds, attoseconds) = (now - bucket.updated).components
        let elapsed = Double(seconds) + Double(attoseconds) * 1e-18
        return Bucket(tokens: min(rate.burst, bucket.tokens + elapsed * rate.perSecond), updated: now, rate: rate)
    }

    private static func wait(for missing: Double, _ rate: RateLimits.Rate) -> Duration {
        .milliseconds(Int((missing / max(rate.perSecond, 1e-9) * 1000).rounded(.up)))
    }

    private static func prune(_ buckets: inout [String: Bucket], to lowWater: Int, now: ContinuousClock.Instant) {
        // Each bucket's fullness once, at its own rate. A full one is forgotten at no cost: a new bucket
        // starts full.
        var drawnOn: [(key: String, fullness: Double)] = []
        var forgotten: [String] = []
        drawnOn.reserveCapacity(buckets.count)
        for (key, bucket) in buckets {
            let fullness = refilled(bucket, bucket.rate, now: now).tokens / bucket.rate.burst
            if fullness < 1 { drawnOn.append((key, fullness)) } else { forgotten.append(key) }
        }
        // Forgetting a nearly full bucket costs least; a drained one (a client held off) is kept longest,
        // so that flooding the limiter with new keys does not free it.
        if drawnOn.count > lowWater {
            moveLeastFull(lowWater, toTheFrontOf: &drawnOn)
            forgotten += drawnOn[lowWater...].map(\.key)
            drawnOn.removeSubrange(lowWater...)
        }
        // Every request waits for this lock: the smaller of the two is written.
        if forgotten.count > drawnOn.count {
            var kept = [String: Bucket](minimumCapacity: buckets.capacity)
            for (key, _) in drawnOn { kept[key] = buckets[key] }
            buckets = kept
        } else {
            for key in forgotten { buckets.removeValue(forKey: key) }
        }
    }

    /// Reorders `items` so that the first `count` are those least full, in no particular order: Hoare's
    /// selection, linear on average, where sorting them all took most of a prune's time under the lock.
    static func moveLeastFull(_ count: Int, toTheFrontOf items: inout [(key: String, fullness: Double)]) {
        guard count > 0, count < items.count else { return }
        var low = 0
        var high = items.count - 1
        while low < high {
            let pivot = items[Int.random(in: low...high)].fullness
            var i = low
            var j = high
            while i <= j {
                while items[i].fullness < pivot { i += 1 }
                while items[j].fullness > pivot { j -= 1 }
                if i <= j {
                    items.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now items[low...j] are at most the pivot, items[i...high] at least, and any between equal it.
            if count <= j {
                high = j
            } else if count >= i {
                low = i
            } else {
                return
            }
        }
    }

    /// How many keys it holds, for tests.
    var keyCount: Int { buckets.withLock { $0.count } }
}
