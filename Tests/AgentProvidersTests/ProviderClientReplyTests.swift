import ProviderEmulator
import Testing

@testable import AgentProviders

/// ``ProviderClient`` against the emulator over loopback HTTP: replies, streamed and whole.
@Suite struct ProviderClientReplyTests {
    @Test(arguments: ChatWireProtocol.allCases)
    func streamsTheEchoWithUsageAndRecordsWhatWasSent(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(chat("Hello there, emulator", system: "Be brief."), wireProtocol)
            #expect(reply.text == "Hello there, emulator")
            #expect(reply.events.filter { if case .text = $0 { true } else { false } }.count == 4)
            #expect(reply.usage.prompt != nil && reply.usage.completion == 4)
            #expect(reply.ending == .finished(.stop))
            #expect(reply.endsOnce)

            let recorded = try #require(await provider.emulator.recordedRequests().first)
            #expect(recorded.wireProtocol == wireProtocol.rawValue)
            #expect(recorded.path == wireProtocol.chatPath)
            #expect(recorded.model == "emulated-model")
            #expect(recorded.messages.map(\.role) == ["system", "user"])
            #expect(recorded.messages.map(\.content) == ["Be brief.", "Hello there, emulator"])
            #expect(recorded.temperature == 0.5)
            #expect(recorded.maxTokens == 100)
            #expect(recorded.stream)
            #expect(recorded.keySHA256 == provider.keyHash)
            #expect(recorded.otherCredentialHeaders.isEmpty)
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func streamsWithoutUsageWhenTheProviderSendsNone(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(chat("[emulator usage=off chunks=2]\nNo counts"), wireProtocol)
            #expect(reply.text == "No counts")
            #expect(reply.usage == TokenUsage())
            #expect(reply.ending == .finished(.stop))
            #expect(reply.endsOnce)
        }
    }

    /// A server that ignores `stream: true` answers with the whole reply as JSON: it is read whole and told
    /// as a stream, where it used to end as a stream that ended early, with nothing.
    @Test(arguments: ChatWireProtocol.allCases)
    func aWholeAnswerToAStreamedRequestIsRead(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(chat("[emulator whole=on]\nAll at once"), wireProtocol)
            #expect(reply.text == "All at once")
            #expect(reply.usage.prompt != nil && reply.usage.completion != nil)
            #expect(reply.ending == .finished(.stop))
            #expect(reply.endsOnce)
            #expect(try #require(await provider.emulator.recordedRequests().first).stream)
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func completesAWholeReply(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let endpoint = try provider.endpoint(wireProtocol)
            let reply = try await within {
                try await provider.client.completeReply(chat("Whole, please"), endpoint: endpoint, apiKey: provider.key, for: nil)
            }
            #expect(reply.text == "Whole, please")
            #expect(reply.finishReason == .stop)
            #expect(reply.usage.completion == 4)
            let recorded = try #require(await provider.emulator.recordedRequests().first)
            #expect(!recorded.stream)
            #expect(recorded.keySHA256 == provider.keyHash)
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func completesWithoutUsage(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let endpoint = try provider.endpoint(wireProtocol, path: "/script/usage=off,text=fixed")
            let reply = try await within {
                try await provider.client.completeReply(chat("ignored"), endpoint: endpoint, apiKey: provider.key, for: nil)
            }
            #expect(reply.text == "fixed")
            #expect(reply.usage == TokenUsage())
        }
    }

    /// A consumer slower than the provider still gets the whole reply, and one end.
    @Test(arguments: ChatWireProtocol.allCases)
    func aSlowConsumerGetsTheWholeReply(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let words = (0..<2000).map { "w\($0)" }.joined(separator: " ")
            var request = chat("[emulator chunks=2000]\n" + words)
            request.maximumTokens = 10_000
            let stream = try await provider.client.streamReply(
                request, endpoint: try provider.endpoint(wireProtocol), apiKey: provider.key, for: nil)
            var reply = ReplyTranscript()
            for await event in stream {
                if reply.events.count < 20 { try await Task.sleep(for: .milliseconds(20)) }
                reply.events.append(event)
            }
            let whole = reply.text == words
            #expect(whole, "\(reply.text.count) of \(words.count) characters")
            #expect(reply.ending == .finished(.stop))
            #expect(reply.endsOnce)
        }
    }

    @Test func pathScriptAndMessageDirectiveCombine() async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(
                chat("[emulator chunks=3]\nabcdef"), .openAI, path: "/script/chunks=1%20delay_ms=1")
            #expect(reply.events.filter { if case .text = $0 { true } else { false } }.count == 3)
            #expect(reply.text == "abcdef")
            let recorded = try #require(await provider.emulator.recordedRequests().first)
            #expect(recorded.path == "/script/chunks=1%20delay_ms=1/v1/chat/completions")
        }
    }

    @Test func maxTokensCutsTheReplyWithLength() async throws {
        try await EmulatedProvider.run { provider in
            var request = chat("[emulator chunks=10]\nlonger than allowed")
            request.maximumTokens = 3
            let reply = try await provider.stream(request, .anthropic)
            #expect(reply.ending == .finished(.length))
            #expect(reply.usage.completion == 3)
        }
    }
}
