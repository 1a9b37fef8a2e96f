import AgentSecrets
import AsyncHTTPClient
import Crypto
import Foundation
import NIOPosix
import ProviderEmulator
import Testing

@testable import AgentProviders

/// A provider emulator on 127.0.0.1 and a ``ProviderClient`` allowed to call it, for one test.
struct EmulatedProvider: Sendable {
    let emulator: ProviderEmulator
    let baseURL: String
    let client: ProviderClient
    /// A fresh key per test; tests compare only its hash, so it never reaches their output.
    let key = Secret("sk-emulated-\(UUID().uuidString)")

    /// Generous bounds: they only keep a broken test from hanging.
    static let timeouts = ProviderTimeouts(connect: .seconds(10), responseHead: .seconds(30), idle: .seconds(30))

    /// Runs `body` against a new emulator; `policy` defaults to allowing 127.0.0.1.
    static func run<Result: Sendable>(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
        timeouts: ProviderTimeouts = timeouts,
        policy: ProviderAddressPolicy? = nil,
        _ body: @Sendable (EmulatedProvider) async throws -> Result
    ) async throws -> Result {
        let emulator = ProviderEmulator(configuration: configuration)
        let httpClient = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: ProviderClient.httpClientConfiguration(timeouts: timeouts))
        let addressPolicy: ProviderAddressPolicy
        if let policy {
            addressPolicy = policy
        } else {
            addressPolicy = try ProviderAddressPolicy(allowlist: "127.0.0.1")
        }
        let result: Swift.Result<Result, any Error>
        do {
            let value = try await emulator.withRunning { baseURL in
                let client = ProviderClient(httpClient: httpClient, addressPolicy: addressPolicy, timeouts: timeouts)
                do {
                    let value = try await body(EmulatedProvider(emulator: emulator, baseURL: baseURL, client: client))
                    await client.shutdown()
                    return value
                } catch {
                    await client.shutdown()
                    throw error
                }
            }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        try await httpClient.shutdown()
        return try result.get()
    }

    func endpoint(_ wireProtocol: ChatWireProtocol, path: String = "") throws -> ProviderEndpoint {
        try ProviderEndpoint(wireProtocol: wireProtocol, baseURL: baseURL + path)
    }

    /// The SHA-256 of this test's key, as the emulator records it.
    var keyHash: String {
        key.withPlaintext { SHA256.hash(data: Data($0.utf8)).map { String(format: "%02x", $0) }.joined() }
    }

    /// Streams `request` and collects every event, within a bound.
    func stream(_ request: ChatRequest, _ wireProtocol: ChatWireProtocol, path: String = "") async throws -> ReplyTranscript {
        let endpoint = try endpoint(wireProtocol, path: path)
        return try await within {
            let stream = try await client.streamReply(request, endpoint: endpoint, apiKey: key, for: nil)
            var transcript = ReplyTranscript()
            for await event in stream { transcript.events.append(event) }
            return transcript
        }
    }

    /// The error a streamed call throws before its reply begins, nil if it does not.
    func streamError(_ request: ChatRequest, _ wireProtocol: ChatWireProtocol, path: String = "") async throws
        -> ProviderCallError?
    {
        let endpoint = try endpoint(wireProtocol, path: path)
        return try await within { () async throws -> ProviderCallError? in
            do throws(ProviderCallError) {
                _ = try await client.streamReply(request, endpoint: endpoint, apiKey: key, for: nil)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The error a whole call throws, nil if it does not.
    func completeError(_ request: ChatRequest, _ wireProtocol: ChatWireProtocol, path: String = "") async throws
        -> ProviderCallError?
    {
        let endpoint = try endpoint(wireProtocol, path: path)
        return try await within { () async throws -> ProviderCallError? in
            do throws(ProviderCallError) {
                _ = try await client.completeReply(request, endpoint: endpoint, apiKey: key, for: nil)
                return nil
            } catch {
                return error
            }
        }
    }
}

/// A chat request of one user message.
func chat(_ content: String, system: String? = nil, model: String = "emulated-model") -> ChatRequest {
    var messages = [ChatMessage(role: .user, content: content)]
    if let system { messages.insert(ChatMessage(role: .system, content: system), at: 0) }
    return ChatRequest(model: model, messages: messages, temperature: 0.5, maximumTokens: 100)
}

/// A wait that did not end in time.
struct TimedOut: Error {}

/// `body`'s result, or ``TimedOut`` after `limit`: no test waits forever.
func within<Result: Sendable>(
    _ limit: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimedOut()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
