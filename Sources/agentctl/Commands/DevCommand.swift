import ArgumentParser
import Foundation
import Logging
import ProviderEmulator
import ServiceLifecycle
import UnixSignals

/// `agentctl dev provider`: tools for trying the platform on one machine, without paid keys.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Development tools.", subcommands: [Provider.self])

    /// Runs the provider emulator until interrupted.
    struct Provider: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the provider emulator (OpenAI and Anthropic protocols, scripted replies) until interrupted.",
            discussion: """
                Point a connection's metadata.base_url at the printed URL. Replies echo the last user message \
                by default; a base URL path segment pair script/<directives> or a line \
                [emulator chunks=5 delay_ms=20 usage=off error_after=2] in the message scripts them \
                (keys: text, echo, repeat, chunks, delay_ms, think_ms, usage, error_after, status, retry_after, \
                status_times, context, stall_after, stall_ms, drop_after, whole).
                """)

        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on (0 picks a free port).") var port = 8081
        @Option(help: "Default directives, such as \"chunks=8 delay_ms=50\".") var script: String?

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
            if let script {
                do {
                    _ = try EmulatorScript().applying(directives: script)
                } catch {
                    throw ValidationError("--script: \(error)")
                }
            }
        }

        func run() async throws {
            AgentCtl.bootstrapLogging(level: .info)
            let defaults = try EmulatorScript().applying(directives: script ?? "")
            let host = self.host
            try await ServeCommand.requireListenable(host, port, hostSetting: "--host", portSetting: "--port")
            let emulator = ProviderEmulator(
                configuration: EmulatorConfiguration(host: host, port: port, script: defaults),
                onListening: { port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // Unbuffered, so that a script reading a pipe sees the URL at once.
                    StandardStream.output(
                        """
                        provider emulator listening; base URL: http://\(shown):\(port)
                        recent requests: http://\(shown):\(port)/_emulator/requests (stop with Ctrl-C)

                        """)
                })
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "agentctl")))
            try await group.run()
        }
    }
}
