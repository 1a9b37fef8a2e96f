import AgentBench
import AgentSecrets
import AgentStore
import ArgumentParser
import Foundation
import Logging
import PostgresNIO

extension BenchCommand {
    /// `agentctl bench api`: starts `agentctl serve` as a child process on the benchmark database, drives
    /// it over HTTP with every tenant's token, then runs the same store transactions directly.
    struct API: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "HTTP page reads and message posts against the same store transactions run directly.")
        @OptionGroup var scale: Scale
        @Option(help: "Concurrent HTTP connections (and direct workers).") var clients = 8
        @Option(help: "Seconds per phase.") var seconds = 10.0
        @Option(help: "Rounds, in each of which (a), (c) and (d) take half-second turns.") var rounds = 4
        @Option(
            help: """
                shared: every party anywhere, as in earlier sessions' figures; split: the load generator on half \
                of the cores, the server and PostgreSQL on the other half, where the store also runs when driven \
                directly.
                """)
        var placement = CPUPlacement.shared

        func validate() throws {
            guard clients > 0, seconds > 0, rounds > 0 else {
                throw ValidationError("--clients, --seconds and --rounds must be positive")
            }
            try BenchCommand.validate(seconds: seconds)
            try pageScale.validate()
        }

        /// The scale with 50-message conversations, so that a conversation is one full page.
        private var pageScale: Scale { Self.pageScale(scale) }

        static func pageScale(_ scale: Scale) -> Scale {
            var scale = scale
            scale.conversationLength = 50
            return scale
        }

        func run() async throws {
            try await Self.withServer(scale: pageScale, clients: clients) { benchmark, server in
                var benchmark = benchmark
                benchmark.seconds = seconds
                benchmark.rounds = rounds
                let placed = BenchPlacement(placement, server: server, database: Self.databaseName)
                defer { placed.release() }
                benchmark.placeThisProcess = { placed.runThisProcess(asPlatform: $0) }
                print(placed.line(load: "load generator"))
                for line in try await benchmark.run(peakMemory: { server.peakMemory }) { print(line) }
            }
        }

        static let databaseName = "agent_platform_bench_api"

        /// Loads the benchmark database, issues every tenant a token, starts `agentctl serve` as a child
        /// process on it, and hands `body` a benchmark of that server with `clients` connections.
        static func withServer(
            scale: Scale, clients: Int, _ body: (APIBenchmark, ServerProcess) async throws -> Void
        ) async throws {
            try await withBenchmarkDatabase(scale, name: databaseName, connections: clients) { database in
                let keyHex = Keyring.generateKeyHex()
                let store = AgentStore(
                    client: database.runtime, keyring: try Keyring(keys: [(id: "bench", hex: keyHex)]), logger: database.logger)
                StandardStream.error("issuing \(scale.tenants) tokens...\n")
                var tokens: [(user: Int, token: String)] = []
                for user in 1...scale.tenants {
                    let issued = try await store.withTenant(UserID(rawValue: "u\(user)")!) {
                        try await $0.createToken(name: "bench")
                    }
                    tokens.append((user, issued.value))
                }
                let port = Int.random(in: 20_000...40_000)
                let server = try ServerProcess.start(
                    port: port,
                    environment: [
                        // The load comes from one address: the API's rate limits would measure themselves.
                        "API_RATE_LIMIT_PER_ADDRESS": "0", "API_RATE_LIMIT_PER_CREDENTIAL": "0",
                    ],
                    secrets: [.databaseURL: database.runtimeURL.replacing(), .encryptionKey: keyHex])
                defer { server.stop() }
                try await server.waitUntilHealthy()
                var benchmark = APIBenchmark(host: "127.0.0.1", port: port, tokens: tokens, dataset: scale.dataset, store: store)
                benchmark.clients = clients
                try await body(benchmark, server)
            }
        }
    }
}
