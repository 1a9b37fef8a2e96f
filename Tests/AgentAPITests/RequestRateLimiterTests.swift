import Testing

@testable import AgentAPI

/// The limiter's keys: what counts as one client and one credential, and how it stays bounded.
@Suite struct RequestRateLimiterTests {
    @Test func anIPv6ClientIsCountedByItsSlash64AndAnIPv4OneWhole() {
        #expect(RateLimits.countedPrefix("2001:db8:1:2:aaaa::1") == RateLimits.countedPrefix("2001:db8:1:2::ffff:9"))
        #expect(RateLimits.countedPrefix("2001:db8:1:2::1") != RateLimits.countedPrefix("2001:db8:1:3::1"))
        #expect(RateLimits.countedPrefix("192.0.2.1") == "192.0.2.1")
        // IPv4 clients of a dual-stack socket are not lumped together under ::ffff:0:0/64.
        #expect(RateLimits.countedPrefix("::ffff:192.0.2.1") == "::ffff:192.0.2.1")
    }

    @Test func pruningKeepsBucketsStillDrainedAtTheirOwnRate() {
        let limiter = RequestRateLimiter(maximumKeys: 10)
        let address = RateLimits.Rate(perSecond: 0.001, burst: 50)
        let failed = RateLimits.Rate(perSecond: 0.001, burst: 3)
        // A client that used 45 of its 50.
        for _ in 0..<45 { #expect(limiter.take("address:a", address) == nil) }
        // Failed sign-ins from many addresses push the limiter past its bound; pruning at their rate (burst
        // 3) once took the client's 5 left for a full bucket and forgot it, giving it 50 again.
        for index in 0..<20 { _ = limiter.take("failed:\(index)", failed) }
        #expect(limiter.keyCount <= 10)
        for _ in 0..<5 { #expect(limiter.take("address:a", address) == nil) }
        #expect(limiter.take("address:a", address) != nil, "the client's bucket was kept as drained as it was")
    }

    /// The selection a prune makes: the least full first, whatever the order and however many are alike.
    @Test(arguments: [0, 1, 7, 50, 99])
    func theLeastFullAreMovedToTheFront(count: Int) {
        let cases: [[Double]] = [
            (0..<100).map { Double($0) / 100 }.shuffled(),
            (0..<100).map { Double($0 % 4) / 4 }.shuffled(),
            Array(repeating: 0.5, count: 100),
            (0..<100).map { Double(100 - $0) / 100 },
        ]
        for fullness in cases {
            var items = fullness.enumerated().map { (key: "k\($0.offset)", fullness: $0.element) }
            RequestRateLimiter.moveLeastFull(count, toTheFrontOf: &items)
            #expect(Set(items.map(\.key)) == Set(fullness.indices.map { "k\($0)" }), "nothing lost or doubled")
            let front = items.prefix(count).map(\.fullness)
            let rest = items.dropFirst(count).map(\.fullness)
            #expect((front.max() ?? -1) <= (rest.min() ?? 2))
            #expect(front.sorted() == Array(fullness.sorted().prefix(count)))
        }
    }

    /// Past its bound, it keeps the most drained buckets and forgets the fullest and the full ones.
    @Test func pruningForgetsTheFullestFirst() {
        let limiter = RequestRateLimiter(maximumKeys: 100)
        let rate = RateLimits.Rate(perSecond: 0.001, burst: 100)
        let now = ContinuousClock.now
        // Bucket n has drawn n + 1 tokens: the higher n, the more drained.
        for n in 0..<101 {
            for _ in 0...n { _ = limiter.take("k\(n)", rate, now: now) }
        }
        // The 101st key's first take pruned to 90: the most drained, k10 to k99, as they were. k0 to k9 and
        // k100 were forgotten; k100 then drew its new bucket dry.
        #expect(limiter.keyCount == 91)
        #expect(limiter.admit("k10", rate, holding: true, now: now) == .admitted(holding: true))
        #expect(limiter.admit("k9", rate, holding: true, now: now) == .admitted(holding: false), "full again")
        #expect(limiter.admit("k0", rate, holding: true, now: now) == .admitted(holding: false), "full again")
        #expect(limiter.take("k100", rate, now: now) != nil)
    }
}
