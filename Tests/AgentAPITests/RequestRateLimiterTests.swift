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
}
