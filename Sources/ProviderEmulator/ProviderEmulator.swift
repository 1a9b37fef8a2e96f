import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A scripted model provider on real HTTP: OpenAI Chat Completions and Anthropic Messages, streamed or
/// whole, for tests, benchmarks and a first try without a paid key.
///
/// Routes (any path prefix is allowed before `/v1`, see ``EmulatorScript`` for the `script/...` segments):
/// - `POST .../v1/chat/completions`: OpenAI (`chat.completion`, or `chat.completion.chunk` events, a usage
///   chunk when `stream_options.include_usage` asks, then `[DONE]`);
/// - `POST .../v1/messages`: Anthropic (`message`, or `message_start`, `content_block_start`, `ping`,
///   `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`);
/// - `GET .../v1/models`: OpenAI's list (`emulator`, `emulator-mini`) or Anthropic's (`claude-emulator`), by the
///   request's key header;
/// - `GET /_emulator/requests`: the recent requests as ``RecordedRequest``s (JSON array), keys only hashed;
/// - `GET /_emulator/stats`: ``EmulatorStats``; `DELETE /_emulator/requests` forgets both.
///
/// A `Service`: run it in a service group, or call ``run()`` until the task is cancelled.
public struct ProviderEmulator: Service {
    public let configuration: EmulatorConfiguration
    let recorder = EmulatorRecorder()
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// `onListening` learns the bound port when ``run()`` starts listening (useful with port 0).
    public init(
        configuration: EmulatorConfiguration = EmulatorConfiguration(), logger: Logger? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.onListening = onListening
        self.logger =
            logger
            ?? {
                var quiet = Logger(label: "provider-emulator")
                quiet.logLevel = .warning
                return quiet
            }()
    }

    /// Serves until cancelled or shut down gracefully.
    public func run() async throws {
        try await run(onListening: onListening)
    }

    /// Serves until cancelled or shut down gracefully, telling `onListening` the bound port once it listens.
    public func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let emulator = self
        let responder = CallbackResponder<EmulatorRequestContext> { request, context in
            try await emulator.respond(to: request, from: context.clientPort)
        }
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "provider-emulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await application.run()
    }

    /// Runs the emulator while `body` runs, handing it the base URL (`http://host:port`); stops it after.
    ///
    /// Fails when the server has not listened within `startTimeout`.
    public func withRunning<Result: Sendable>(
        startTimeout: Duration = .seconds(30),
        _ body: @Sendable (_ baseURL: String) async throws -> Result
    ) async throws -> Result {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { listening.finish() }
                try await run { port in listening.yield(port) }
            }
            group.addTask {
                // A server that never listens must not hang the caller.
                try await Task.sleep(for: startTimeout)
                listening.finish()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                group.cancelAll()
                throw EmulatorStartFailure()
            }
            defer { group.cancelAll() }
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            return try await body("http://\(host):\(port)")
        }
    }

    /// The requests received so far, oldest first.
    public func recordedRequests() async -> [RecordedRequest] {
        await recorder.requests
    }

    /// The stream counts so far.
    public func stats() async -> EmulatorStats {
        await recorder.stats
    }
}

/// The emulator did not start listening (the port was taken, or it took too long).
public struct EmulatorStartFailure: Error, CustomStringConvertible {
    public var description: String { "the provider emulator did not start listening" }
}
