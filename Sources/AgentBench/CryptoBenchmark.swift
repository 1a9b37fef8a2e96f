import AgentSecrets

/// Seal/open throughput of the `ak1` format, for `agentctl bench crypto`.
public enum CryptoBenchmark {
    /// A 56-character key shaped like a provider key; the seed script uses the same one.
    public static let sampleAPIKey = "sk-proj-benchmark0123456789abcdefghijklmnopqrstuvwxyzABC"
    /// A fixed test key; never used outside benchmarks.
    static let benchmarkKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let context = SealContext(
        tenantID: "7d1f3c2a-5b4e-4f6a-9c8d-0e1f2a3b4c5d", connectionID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    )

    /// Seals ``sampleAPIKey`` `iterations` times, then opens every sealed value.
    ///
    /// Pairs per second is `iterations / (seal time + open time)`.
    public static func run(iterations: Int) -> CryptoBenchmarkResult {
        precondition(iterations > 0, "iterations must be positive")
        // The fixed test key is valid and seal/open of fresh values cannot fail.
        let keyring = try! Keyring(keys: [(id: "bench", hex: benchmarkKeyHex)])
        let context = Self.context

        // Warm up caches and lazy tables so the timed loops measure steady state.
        for _ in 0..<min(iterations, 1_000) {
            _ = try! keyring.open(keyring.seal(sampleAPIKey, context: context), context: context)
        }

        var sealed: [String] = []
        sealed.reserveCapacity(iterations)
        let clock = ContinuousClock()
        let sealStart = clock.now
        for _ in 0..<iterations {
            sealed.append(try! keyring.seal(sampleAPIKey, context: context))
        }
        let sealDuration = clock.now - sealStart

        var openedBytes = 0
        let openStart = clock.now
        for value in sealed {
            openedBytes &+= try! keyring.open(value, context: context).exposedValue.utf8.count
        }
        let openDuration = clock.now - openStart
        precondition(openedBytes == iterations * sampleAPIKey.utf8.count, "benchmark round trip lost bytes")

        let sealSeconds = seconds(sealDuration)
        let openSeconds = seconds(openDuration)
        return CryptoBenchmarkResult(
            sealPerSecond: Double(iterations) / sealSeconds,
            openPerSecond: Double(iterations) / openSeconds,
            pairPerSecond: Double(iterations) / (sealSeconds + openSeconds)
        )
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
