import AgentSecrets
import Foundation

// MARK: Comparison with the seed

extension CryptoBenchmark {
    /// Why the seed's Node benchmark could not be compared.
    public enum SeedRunError: Error, Sendable, CustomStringConvertible {
        case nodeFailed(status: Int32, message: String)
        case unreadableOutput(String)

        public var description: String {
            switch self {
            case .nodeFailed(let status, let message):
                "node exited with status \(status): \(message)"
            case .unreadableOutput(let output):
                "the seed benchmark printed no JSON result: \(output.prefix(200))"
            }
        }
    }

    /// Runs ``run(iterations:)``, then `node <scriptPath> <iterations>` (the seed's
    /// Node implementation, `scripts/bench-crypto-seed.mjs`), and compares them.
    ///
    /// - Returns: report lines; the last is `ratio=X.XX`, ours over the seed's
    ///   seal+open pairs per second.
    public static func runAgainstSeed(scriptPath: String, iterations: Int) throws -> String {
        let ours = run(iterations: iterations)
        let seed = try runSeed(scriptPath: scriptPath, iterations: iterations)
        let ratio = ours.pairPerSecond / seed.pairPerSecond
        return [
            "iterations=\(iterations) key_length=\(sampleAPIKey.count)",
            line("ours (ak1, \(Keyring.sealingBackend))", ours),
            line("seed (node, iv:tag:ct)", seed),
            "ratio=\(String(format: "%.2f", ratio))",
        ].joined(separator: "\n")
    }

    static func runSeed(scriptPath: String, iterations: Int) throws -> CryptoBenchmarkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", scriptPath, String(iterations)]
        // Only where programs are and whose home it is: nothing of ours (a key, a database URL) reaches node.
        process.environment = ProcessInfo.processInfo.environment.filter { ["PATH", "HOME", "LANG"].contains($0.key) }
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appending(path: "seed-crypto-\(UUID().uuidString).err")
        try Data().write(to: errors)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        // A file, not a second pipe: reading one pipe to its end while the child fills the other would hang.
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        // Every wait has a bound: a seed run that hangs is terminated, which ends the read below.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(600), execute: watchdog)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let errorData = (try? Data(contentsOf: errors)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw SeedRunError.nodeFailed(
                status: process.terminationStatus, message: String(decoding: errorData.prefix(500), as: UTF8.self)
            )
        }
        let text = String(decoding: outputData, as: UTF8.self)
        guard let json = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let result = try? JSONDecoder().decode(CryptoBenchmarkResult.self, from: Data(json.utf8))
        else {
            throw SeedRunError.unreadableOutput(text)
        }
        return result
    }

    private static func line(_ label: String, _ result: CryptoBenchmarkResult) -> String {
        "\(label) seal/s=\(rounded(result.sealPerSecond)) open/s=\(rounded(result.openPerSecond)) pair/s=\(rounded(result.pairPerSecond))"
    }

    private static func rounded(_ value: Double) -> String {
        String(Int(value.rounded()))
    }
}
