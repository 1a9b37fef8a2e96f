import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ProviderEmulator
import Testing

/// The emulator's own routes over HTTP, with a plain client: what it records and counts, and its models.
@Suite struct ProviderEmulatorRouteTests {
    /// Sends one request and returns the status and body, within a bound.
    static func send(
        _ client: HTTPClient, _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    @Test func recordsOtherCredentialHeadersAndServesItsRoutes() async throws {
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            try await ProviderEmulator().withRunning { baseURL in
                let chat = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
                let answer = try await Self.send(
                    client, baseURL + "/v1/chat/completions", method: .POST,
                    headers: [("authorization", "Bearer k"), ("cookie", "session=1"), ("x-api-key", "other")], body: chat)
                #expect(answer.status == 200)
                #expect(answer.body.contains(#""object":"chat.completion""#))

                let recorded = try await Self.send(client, baseURL + "/_emulator/requests")
                let requests = try JSONDecoder().decode([RecordedRequest].self, from: Data(recorded.body.utf8))
                #expect(requests.first?.otherCredentialHeaders == ["x-api-key", "cookie"])
                #expect(requests.first?.wireProtocol == "openai")

                let stats = try await Self.send(client, baseURL + "/_emulator/stats")
                #expect(try JSONDecoder().decode(EmulatorStats.self, from: Data(stats.body.utf8)).requests == 1)

                // A directive it cannot read is a 400 that names it, in either protocol's error body.
                let misread = #"{"model":"m","messages":[{"role":"user","content":"[emulator chunks=abc]\nhi"}]}"#
                let refused = try await Self.send(client, baseURL + "/v1/chat/completions", method: .POST, body: misread)
                #expect(refused.status == 400 && refused.body.contains("invalid emulator directive chunks"), "\(refused.body)")
                let anthropic = #"{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"[emulator bogus=1]\nhi"}]}"#
                let unknown = try await Self.send(client, baseURL + "/v1/messages", method: .POST, body: anthropic)
                #expect(unknown.status == 400 && unknown.body.contains("invalid emulator directive bogus"), "\(unknown.body)")

                let models = try await Self.send(client, baseURL + "/v1/models")
                #expect(models.status == 200 && models.body.contains(#""id":"emulator""#))

                #expect(try await Self.send(client, baseURL + "/_emulator/requests", method: .DELETE).status == 204)
                #expect(try await Self.send(client, baseURL + "/_emulator/requests").body == "[]")
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
