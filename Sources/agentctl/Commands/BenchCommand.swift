import AgentBench
import AgentSecrets
import AgentStore
import ArgumentParser
import Foundation
import Logging
import PostgresNIO

/// `agentctl bench rls|crypto|api|chat|console`: benchmarks that print figures measured side by side in one run,
/// ending with `ratio=X.XX`. Build in release (`swift build -c release`) before trusting the numbers.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run the platform's benchmarks.",
        subcommands: [RLS.self, Crypto.self, API.self, Chat.self, Console.self, Soak.self])

    /// The longest phase a benchmark runs: a day. A longer one (or `inf`) would only fail later, after the
    /// benchmark's database was loaded and its server started.
    static let longestPhaseSeconds = 86_400.0

    static func validate(seconds: Double) throws {
        guard seconds <= longestPhaseSeconds else {
            throw ValidationError("--seconds must be at most \(Int(longestPhaseSeconds)) (a day)")
        }
    }

    struct Scale: ParsableArguments {
        @Option(help: "Tenants to load (10 agents each).") var tenants = 1_000
        @Option(help: "Messages to load.") var messages = 1_000_000
        @Flag(help: "Reuse the benchmark database if it was loaded before.") var reuse = false
        @OptionGroup var config: ConfigurationOptions
        /// Messages per conversation: 10 as in the seed baseline; the API benchmark reads 50-message pages.
        var conversationLength = 10

        var dataset: BenchmarkDataset {
            BenchmarkDataset(tenants: tenants, messages: messages, conversationLength: conversationLength)
        }

        /// Refuses a shape the loader cannot fill with whole conversations, before any database work.
        func validate() throws {
            do { try dataset.validate() } catch { throw ValidationError(error.description) }
        }
    }

    struct RLS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Our row-level security against explicitly scoped queries, on the seed baseline's data and mix.")
        @OptionGroup var scale: Scale
        @Option(help: "Concurrent clients.") var clients = 4
        @Option(help: "Seconds per mode per round, taken in half-second turns.") var seconds = 5.0
        @Option(help: "Rounds; the ratio printed is the median of the rounds' ratios.") var rounds = 5

        func validate() throws {
            guard clients > 0, seconds > 0, rounds > 0 else {
                throw ValidationError("--clients, --seconds and --rounds must be positive")
            }
            try BenchCommand.validate(seconds: seconds)
        }

        func run() async throws {
            try await withBenchmarkDatabase(scale, name: "agent_platform_bench_rls") { database in
                var benchmark = RLSBenchmark(
                    admin: database.admin, runtime: database.runtime, dataset: scale.dataset, logger: database.logger)
                benchmark.clients = clients
                benchmark.secondsPerRound = seconds
                benchmark.rounds = rounds
                for line in try await benchmark.run() { print(line) }
            }
        }
    }

    struct Crypto: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal and open a 56-character key, ours against the seed's Node.js implementation.")
        @Option(help: "Seal+open pairs per side.") var iterations = 200_000
        @Option(help: "The seed's implementation, run with node.") var script = "scripts/bench-crypto-seed.mjs"

        func validate() throws {
            guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
            // Checked here so that a run outside the checkout says what is missing, not node's stack trace.
            guard FileManager.default.isReadableFile(atPath: script) else {
                throw ValidationError(
                    "--script \(script) is not a readable file: run from the checkout, or name the seed's script")
            }
        }

        func run() async throws {
            print(try CryptoBenchmark.runAgainstSeed(scriptPath: script, iterations: iterations))
        }
    }
}

/// A loaded benchmark database: pools on it as the administrator and as the runtime role.
struct BenchmarkDatabase {
    let admin: PostgresClient
    let runtime: PostgresClient
    let runtimeURL: DatabaseURL
    let logger: Logger
}

/// Creates (or reuses) database `name` beside the platform's, migrated and loaded with `scale`, and runs
/// `body` with pools on it.
func withBenchmarkDatabase(
    _ scale: BenchCommand.Scale, name: String, connections: Int = 8,
    _ body: (BenchmarkDatabase) async throws -> Void
) async throws {
    let configuration = try await scale.config.load()
    let logger = Logger(label: "agentctl.bench")
    let context = try await PlatformContext.resolve(configuration, migrate: false, logger: logger)
    let server = try context.requireAdmin()
    let admin = try DatabaseURL(server.replacing(database: name))
    let runtime = try DatabaseURL(context.runtimeURL.replacing(database: name))
    if !scale.reuse { try await PlatformDatabase.drop(name, admin: server, logger: logger) }
    let created = try await PlatformDatabase.create(name, admin: server, logger: logger)
    try await PostgresClient.withRunning(admin.clientConfiguration(maxConnections: connections, persistent: true), logger: logger)
    { adminClient in
        try await PlatformDatabase.migrateAndEnsureRuntimeLogin(admin: adminClient, logger: logger)
        if created {
            StandardStream.error("loading \(scale.tenants) tenants and \(scale.messages) messages...\n")
            let start = ContinuousClock.now
            try await scale.dataset.load(into: adminClient, logger: logger)
            StandardStream.error("loaded in \(ContinuousClock.now - start)\n")
        }
        try await PostgresClient.withRunning(
            runtime.clientConfiguration(maxConnections: connections, persistent: true), logger: logger
        ) { runtimeClient in
            try await body(BenchmarkDatabase(admin: adminClient, runtime: runtimeClient, runtimeURL: runtime, logger: logger))
        }
    }
}
