import AgentBench
import AgentSecrets
import AgentStore
import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ProviderEmulator

extension CPUPlacement: ExpressibleByArgument {}

extension BenchCommand {
    /// `agentctl bench chat`: runs the provider emulator in this process and `agentctl serve` as a child
    /// process allowed to reach it, then streams completions through the platform and straight from the
    /// emulator, alternating.
    struct Chat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Streamed chat completions through the platform against the provider emulator called directly.")
        @OptionGroup var config: ConfigurationOptions
        @Option(help: "Concurrent streams on each side.") var concurrency = 64
        @Option(help: "Rounds that the two sides alternate in.") var rounds = 4
        @Option(help: "Seconds per side per round.") var seconds = 5.0
        @Option(help: "Completions per side per round, instead of --seconds.") var requests: Int?
        @Option(help: "Pieces the emulator streams each reply in.") var chunks = 20
        @Option(name: .customLong("delay-ms"), help: "Milliseconds the emulator waits before each piece, measuring throughput.")
        var delayMilliseconds = 5
        @Option(
            name: .customLong("paced-delay-ms"),
            help: "Milliseconds before each piece when measuring latency, at a provider's pace (0: no latency measurement).")
        var pacedDelayMilliseconds = 50
        @Option(
            help: """
                split: the load generator and the emulator on half of the cores, the server and PostgreSQL on the \
                other half, as separate machines would be; shared: anywhere.
                """)
        var placement = CPUPlacement.split

        static let databaseName = "agent_platform_bench_chat"
        static let model = "bench-model"
        static let systemPrompt = "You are a benchmark agent. Answer briefly."

        func validate() throws {
            guard concurrency > 0, rounds > 0, seconds > 0, requests.map({ $0 > 0 }) ?? true else {
                throw ValidationError("--concurrency, --rounds, --seconds and --requests must be positive")
            }
            try BenchCommand.validate(seconds: seconds)
            guard (1...10_000).contains(chunks), (0...60_000).contains(delayMilliseconds),
                (0...60_000).contains(pacedDelayMilliseconds)
            else {
                throw ValidationError("--chunks must be 1 to 10000, --delay-ms and --paced-delay-ms 0 to 60000")
            }
        }

        func run() async throws {
            var script = EmulatorScript()
            script.text = .fixed(String(repeating: "benchmark ", count: chunks * 2))
            script.chunks = chunks
            script.delay = .milliseconds(delayMilliseconds)
            // Stopping it by cancellation makes Hummingbird log an error that means nothing here.
            var quiet = Logger(label: "provider-emulator")
            quiet.logLevel = .critical
            let emulator = ProviderEmulator(
                configuration: EmulatorConfiguration(host: "127.0.0.1", port: 0, script: script), logger: quiet)
            let command = self
            try await BenchCommand.withFreshDatabase(Self.databaseName, options: config) { store, keyHex, runtimeURL, _ in
                try await emulator.withRunning { baseURL in
                    try await command.measure(store: store, keyHex: keyHex, runtimeURL: runtimeURL, emulatorURL: baseURL)
                }
            }
        }

        /// Seeds the bench user's agent and connection, starts the server and runs the benchmark.
        private func measure(store: AgentStore, keyHex: String, runtimeURL: DatabaseURL, emulatorURL: String) async throws {
            guard let emulatorPort = emulatorURL.split(separator: ":").last.flatMap({ Int($0) }) else {
                throw CommandFailure("unexpected emulator URL \(emulatorURL)")
            }
            let providerKey = "sk-bench-\(UUID().uuidString.lowercased())"
            let user = try await store.createUser(NewUser(email: "bench-chat@example.test"))
            let (agent, token) = try await store.withTenant(user.id) { session in
                let agent = try await session.createAgent(
                    NewAgent(name: "bench", systemPrompt: Self.systemPrompt, model: Self.model))
                let connection = try await session.createConnection(
                    NewAPIConnection(
                        name: "emulator", service: "openai", apiKey: providerKey,
                        metadata: .object(["base_url": .string(emulatorURL)])))
                try await session.attachConnection(agentID: agent.id, connectionID: connection.id)
                return (agent, try await session.createToken(name: "bench").value)
            }
            let port = Int.random(in: 20_000...40_000)
            let server = try ServerProcess.start(
                port: port,
                environment: [
                    "PROVIDER_ALLOWED_HOSTS": "127.0.0.1:\(emulatorPort)",
                    // Empty is unset: no budget or rate limit of the operator's environment applies to the bench user.
                    "CHAT_MONTHLY_TOKEN_BUDGET": "", "CHAT_REQUESTS_PER_MINUTE": "",
                    // The load comes from one address and one token: the API's rate limits would measure themselves.
                    "API_RATE_LIMIT_PER_ADDRESS": "0", "API_RATE_LIMIT_PER_CREDENTIAL": "0",
                ],
                secrets: [.databaseURL: runtimeURL.replacing(), .encryptionKey: keyHex])
            defer { server.stop() }
            try await server.waitUntilHealthy()
            var benchmark = try ChatBenchmark(
                host: "127.0.0.1", platformPort: port, emulatorPort: emulatorPort, token: token, agentID: agent.id.rawValue,
                model: Self.model, systemPrompt: Self.systemPrompt, providerKey: providerKey)
            benchmark.concurrency = concurrency
            benchmark.rounds = rounds
            benchmark.seconds = seconds
            benchmark.requests = requests
            benchmark.pieces = chunks
            benchmark.delay = .milliseconds(delayMilliseconds)
            benchmark.pacedDelay = pacedDelayMilliseconds == 0 ? nil : .milliseconds(pacedDelayMilliseconds)
            let databaseName = Self.databaseName
            let placed = BenchPlacement(placement, server: server, database: databaseName)
            print(placed.line(load: "load generator and emulator"))
            defer { placed.release() }
            let lines = try await benchmark.run(peakMemory: { server.peakMemory }) {
                // PostgreSQL's backends name their database in their process title, when it runs on this machine.
                ChatBenchmark.CPUReading(
                    load: ProcessCPUTime.ownSeconds, server: server.cpuSeconds,
                    database: ProcessCPUTime.seconds(ofProcessesMentioning: databaseName))
            }
            for line in lines { print(line) }
        }
    }
}
