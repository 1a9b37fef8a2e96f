import AgentSecrets
import Testing

@testable import AgentBench

@Suite struct CryptoBenchmarkTests {
    @Test func sampleKeyIs56Characters() {
        #expect(CryptoBenchmark.sampleAPIKey.count == 56)
    }

    /// What the benchmark times is the platform's own format: a value sealed under its context opens to the
    /// sample key there, and under any other context does not open at all.
    @Test func theTimedRoundTripIsThePlatformsFormat() throws {
        let keyring = try Keyring(keys: [(id: "bench", hex: CryptoBenchmark.benchmarkKeyHex)])
        let sealed = try keyring.seal(CryptoBenchmark.sampleAPIKey, context: CryptoBenchmark.context)
        #expect(try keyring.open(sealed, context: CryptoBenchmark.context).exposedValue == CryptoBenchmark.sampleAPIKey)
        let elsewhere = SealContext(tenantID: "another-tenant", connectionID: CryptoBenchmark.context.connectionID)
        #expect(throws: (any Error).self) { try keyring.open(sealed, context: elsewhere) }
    }

    /// Seconds from a duration, to the attosecond, and the pair rate as the two phases' combined time.
    @Test func ratesComeFromTheMeasuredTimes() {
        #expect(CryptoBenchmark.seconds(.milliseconds(1500)) == 1.5)
        #expect(CryptoBenchmark.seconds(.nanoseconds(1)) == 1e-9)
        let result = CryptoBenchmark.run(iterations: 200)
        let combined = 1 / (1 / result.sealPerSecond + 1 / result.openPerSecond)
        #expect(abs(result.pairPerSecond - combined) <= combined * 1e-9)
    }
}
