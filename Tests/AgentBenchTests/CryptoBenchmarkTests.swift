import Testing

@testable import AgentBench

@Suite struct CryptoBenchmarkTests {
    @Test func sampleKeyIs56Characters() {
        #expect(CryptoBenchmark.sampleAPIKey.count == 56)
    }

    @Test func runReportsPositiveRates() {
        let result = CryptoBenchmark.run(iterations: 200)
        #expect(result.sealPerSecond > 0)
        #expect(result.openPerSecond > 0)
        #expect(result.pairPerSecond < min(result.sealPerSecond, result.openPerSecond))
    }
}
