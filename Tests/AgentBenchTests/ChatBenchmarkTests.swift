import Foundation
import Testing

@testable import AgentBench

/// The stream reader of `bench chat`, fed a response in awkward pieces as a socket may deliver it.
@Suite struct ChatBenchmarkTests {
    /// A chunked response as Hummingbird writes it: the role chunk (empty content), two text chunks, the
    /// usage chunk and `[DONE]`.
    static let events = [
        #"data: {"choices":[{"delta":{"role":"assistant","content":""},"index":0}]}"# + "\n\n",
        #"data: {"choices":[{"delta":{"content":"Hello"},"index":0}]}"# + "\n\n",
        #"data: {"choices":[{"delta":{"content": " world"},"index":0}]}"# + "\n\n",
        #"data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"# + "\n\n",
        "data: [DONE]\n\n",
    ]

    static var chunkedResponse: [UInt8] {
        var text = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        for event in events { text += String(event.utf8.count, radix: 16) + "\r\n" + event + "\r\n" }
        return Array((text + "0\r\n\r\n").utf8)
    }

    @Test(arguments: [1, 2, 7, 64, 100_000])
    func readsChunkedStreamInPieces(pieceSize: Int) throws {
        let bytes = Self.chunkedResponse
        var reader = ChatBenchmarkResponseReader()
        let clock = ContinuousClock()
        let start = clock.now
        var offset = 0
        while offset < bytes.count {
            let instant = start + .milliseconds(offset)
            try reader.consume(bytes[offset..<min(offset + pieceSize, bytes.count)], at: instant)
            offset += pieceSize
        }
        #expect(reader.isComplete)
        #expect(reader.status == 200)
        // The first text is the second event; it is stamped by the piece that completes its line.
        let firstText = bytes.firstRange(of: Array(#""Hello""#.utf8))!.upperBound
        let lineEnd = bytes[firstText...].firstIndex(of: 10)!
        #expect(reader.firstToken == start + .milliseconds((lineEnd / pieceSize) * pieceSize))
        #expect(reader.done != nil && reader.done! >= reader.firstToken!)
    }

    @Test func roleChunkCarriesNoText() {
        #expect(!ChatBenchmarkResponseReader.carriesText(Array(#"{"delta":{"role":"assistant","content":""}}"#.utf8)[...]))
        #expect(ChatBenchmarkResponseReader.carriesText(Array(#"{"delta":{"content":"x"}}"#.utf8)[...]))
        #expect(!ChatBenchmarkResponseReader.carriesText(Array(#"{"choices":[],"usage":{}}"#.utf8)[...]))
    }

    @Test func errorResponseWithContentLengthCompletes() throws {
        let body = #"{"error":{"message":"no"}}"#
        var reader = ChatBenchmarkResponseReader()
        try reader.consume(
            Array("HTTP/1.1 429 Too Many Requests\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)[...],
            at: ContinuousClock.now)
        #expect(reader.isComplete)
        #expect(reader.status == 429)
        #expect(reader.errorBody == body)
        #expect(reader.firstToken == nil)
    }
}

/// The two requests `bench chat` compares: the same completion, asked of the platform and of the emulator.
@Suite struct ChatBenchmarkRequestTests {
    let benchmark = try! ChatBenchmark(
        host: "127.0.0.1", platformPort: 8080, emulatorPort: 8081, token: "platform-token", agentID: "agent-1",
        model: "bench-model", systemPrompt: "Be \"brief\".", providerKey: "provider-key")

    /// The JSON body of an HTTP request's bytes.
    private func body(_ request: [UInt8]) throws -> [String: Any] {
        let text = String(decoding: request, as: UTF8.self)
        let range = try #require(text.range(of: "\r\n\r\n"))
        let object = try JSONSerialization.jsonObject(with: Data(text[range.upperBound...].utf8))
        return try #require(object as? [String: Any])
    }

    private func messages(_ body: [String: Any]) throws -> [[String: String]] {
        try #require(body["messages"] as? [[String: String]])
    }

    @Test func theLatencyMeasurementAsksBothSidesForTheSamePace() throws {
        let (platform, direct) = try benchmark.requests(delay: .milliseconds(50))
        let platformMessages = try messages(body(platform))
        let directMessages = try messages(body(direct))
        #expect(platformMessages.count == 1)
        #expect(platformMessages.last?["content"]?.hasPrefix("[emulator delay_ms=50]\n") == true)
        // The direct side sends what the platform sends the provider: the agent's system prompt, then the same message.
        #expect(directMessages.first == ["role": "system", "content": "Be \"brief\"."])
        #expect(directMessages.last == platformMessages.last)
        #expect(try body(platform)["model"] as? String == "agent:agent-1")
        #expect(try body(direct)["model"] as? String == "bench-model")
    }

    @Test func theThroughputMeasurementLeavesThePaceToTheScript() throws {
        let (platform, direct) = try benchmark.requests(delay: nil)
        #expect(try messages(body(platform)).last?["content"] == "Write a short benchmark reply.")
        #expect(try messages(body(direct)).last?["content"] == "Write a short benchmark reply.")
        #expect(String(decoding: platform, as: UTF8.self).contains("Authorization: Bearer platform-token\r\n"))
        #expect(String(decoding: direct, as: UTF8.self).contains("Authorization: Bearer provider-key\r\n"))
    }
}
