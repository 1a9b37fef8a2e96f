import Testing

@testable import AgentProviders

/// Which lookups the providers' own hosts share with names tenants choose, and which kept answers a flood
/// of fresh names can push out.
@Suite struct HostResolutionTests {
    @Test func theProvidersOwnHostsHaveTheirOwnLookups() {
        #expect(HostResolution.isProviderHost("api.openai.com") && HostResolution.isProviderHost("API.Anthropic.com"))
        #expect(!HostResolution.isProviderHost("r1.attacker.example") && !HostResolution.isProviderHost("openai.com"))
    }

    @Test func freshNamesPushOutExpiredAnswersFirstAndNeverTheProviders() throws {
        let now = ContinuousClock.now
        let address = [try #require(IPAddress(literal: "8.8.8.8"))]
        var answers: [String: (addresses: [IPAddress], expires: ContinuousClock.Instant)] = [:]
        HostResolution.keep(address, for: "api.openai.com:443", in: &answers, now: now)
        for n in 1..<HostResolution.maximumAnswers {
            HostResolution.keep(address, for: "r\(n).attacker.example:443", in: &answers, now: now)
        }
        #expect(answers.count == HostResolution.maximumAnswers)
        // An expired answer goes first.
        answers["r1.attacker.example:443"]?.expires = now - .seconds(1)
        HostResolution.keep(address, for: "fresh.example:443", in: &answers, now: now)
        #expect(answers.count == HostResolution.maximumAnswers && answers["r1.attacker.example:443"] == nil)
        // None expired: all go but the providers' own.
        HostResolution.keep(address, for: "fresher.example:443", in: &answers, now: now)
        #expect(answers.count == 2 && answers["api.openai.com:443"] != nil && answers["fresher.example:443"] != nil)
    }
}
