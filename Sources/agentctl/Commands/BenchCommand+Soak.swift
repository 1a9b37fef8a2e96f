import AgentBench
import ArgumentParser

extension BenchCommand {
    /// `agentctl bench soak`: the API benchmark's server and data, under mixed traffic for minutes, with
    /// the server's memory printed once a minute.
    struct Soak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mixed HTTP traffic for minutes, printing the server's resident memory once a minute.")
        @OptionGroup var scale: Scale
        @Option(help: "Concurrent HTTP connections.") var clients = 8
        @Option(help: "Minutes of traffic.") var minutes = 10

        func validate() throws {
            guard clients > 0, (2...1_440).contains(minutes) else {
                throw ValidationError("--clients must be positive and --minutes 2 to 1440")
            }
            try API.pageScale(scale).validate()
        }

        func run() async throws {
            try await API.withServer(scale: API.pageScale(scale), clients: clients) { benchmark, server in
                for line in try await benchmark.soak(minutes: minutes, residentMemory: { server.residentMemory }) {
                    print(line)
                }
            }
        }
    }
}
