import AgentSecrets
import Foundation
import ProviderEmulator
import Testing

@testable import AgentProviders

/// ``ProviderClient`` against the emulator: every way a call fails, before and after its reply began.
@Suite struct ProviderClientFailureTests {
    @Test(arguments: [(ChatWireProtocol.openAI, "server_error"), (.anthropic, "overloaded_error")])
    func anErrorAfterChunksKeepsTheTextThenFails(_ wireProtocol: ChatWireProtocol, kind: String) async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(chat("[emulator chunks=4 error_after=2]\nabcdefgh"), wireProtocol)
            #expect(reply.text == "abcd")
            #expect(reply.ending == .failed(.provider(kind: kind)))
            #expect(reply.endsOnce)
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func aRateLimitIsThrownWithItsRetryAfter(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let path = "/script/status=429,retry_after=7"
            let streamed = try await provider.streamError(chat("hi"), wireProtocol, path: path)
            #expect(streamed == .rateLimited(retryAfter: .seconds(7)))
            #expect(streamed?.allowsFallback == true)
            let whole = try await provider.completeError(chat("hi"), wireProtocol, path: path)
            #expect(whole == .rateLimited(retryAfter: .seconds(7)))
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func aServerErrorIsUnavailable(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let error = try await provider.streamError(chat("[emulator status=500]\nhi"), wireProtocol)
            #expect(error == .unavailable(status: 500))
            #expect(error?.allowsFallback == true)
        }
    }

    @Test(arguments: [(ChatWireProtocol.openAI, "invalid_request_error"), (.anthropic, "authentication_error")])
    func aWrongKeyIsRejected(_ wireProtocol: ChatWireProtocol, kind: String) async throws {
        let configuration = EmulatorConfiguration(expectedKey: "sk-the-right-one")
        try await EmulatedProvider.run(configuration) { provider in
            let error = try await provider.streamError(chat("hi"), wireProtocol)
            #expect(error == .rejected(status: 401, failure: .provider(kind: kind)))
            // The key, not the request, is refused: another connection's may be accepted.
            #expect(error?.allowsFallback == true)
        }
    }

    @Test func theRightKeyIsAccepted() async throws {
        let configuration = EmulatorConfiguration(expectedKey: "sk-the-right-one")
        try await EmulatedProvider.run(configuration) { provider in
            let endpoint = try provider.endpoint(.openAI)
            let reply = try await within {
                try await provider.client.completeReply(
                    chat("hi"), endpoint: endpoint, apiKey: .init("sk-the-right-one"), for: nil)
            }
            #expect(reply.text == "hi")
        }
    }

    /// OpenAI says it with a code, Anthropic in words alone; both are the one failure clients act on.
    @Test(arguments: ChatWireProtocol.allCases)
    func aPromptPastTheContextWindowIsRefusedAsSuch(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let path = "/script/context=3"
            let error = try await provider.streamError(chat("four words are many"), wireProtocol, path: path)
            #expect(error == .rejected(status: 400, failure: .contextLengthExceeded))
            #expect(error?.allowsFallback == false)
            let fits = try await provider.stream(chat("three words fit"), wireProtocol, path: path)
            #expect(fits.text == "three words fit")
        }
    }

    @Test func aBadDirectiveIsABadRequest() async throws {
        try await EmulatedProvider.run { provider in
            let error = try await provider.streamError(chat("[emulator chunks=many]\nhi"), .openAI)
            #expect(error == .rejected(status: 400, failure: .provider(kind: "invalid_request_error")))
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func aStallFailsAfterTheIdleTimeout(_ wireProtocol: ChatWireProtocol) async throws {
        // Seconds, not a fraction: under the whole suite's load the first chunk once took longer than 300 ms.
        let timeouts = ProviderTimeouts(connect: .seconds(10), responseHead: .seconds(30), idle: .seconds(2))
        try await EmulatedProvider.run(timeouts: timeouts) { provider in
            let reply = try await provider.stream(chat("[emulator chunks=4 stall_after=1 stall_ms=20000]\nabcd"), wireProtocol)
            #expect(reply.text == "a")
            #expect(reply.ending == .failed(.timedOut))
            #expect(reply.endsOnce)
        }
    }

    /// OpenAI's reasoning models send nothing while they think: their first chunk may take the thinking
    /// time, while another model's silence, or a reasoning model's after its first chunk, is bounded by idle.
    @Test func aReasoningModelMayThinkInSilenceBeforeItsFirstChunk() async throws {
        let timeouts = ProviderTimeouts(
            connect: .seconds(10), responseHead: .seconds(30), idle: .milliseconds(1500), thinking: .seconds(20))
        try await EmulatedProvider.run(timeouts: timeouts) { provider in
            let thinking = "[emulator chunks=2 think_ms=4000]\nab"
            let reasoned = try await provider.stream(chat(thinking, model: "o3-mini"), .openAI)
            #expect(reasoned.text == "ab")
            #expect(reasoned.ending == .finished(.stop))

            let hurried = try await provider.stream(chat(thinking, model: "gpt-4o"), .openAI)
            #expect(hurried.text == "")
            #expect(hurried.ending == .failed(.timedOut))

            let stalled = "[emulator chunks=4 stall_after=1 stall_ms=20000]\nabcd"
            let start = ContinuousClock.now
            let stalledAfterThinking = try await provider.stream(chat(stalled, model: "gpt-5-mini"), .openAI)
            // Timed out at the idle time after the chunks it heard, not at the thinking time.
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(stalledAfterThinking.text == "a")
            #expect(stalledAfterThinking.ending == .failed(.timedOut))
        }
    }

    @Test(arguments: ChatWireProtocol.allCases)
    func aDroppedConnectionFails(_ wireProtocol: ChatWireProtocol) async throws {
        try await EmulatedProvider.run { provider in
            let reply = try await provider.stream(chat("[emulator chunks=4 drop_after=2]\nabcd"), wireProtocol)
            #expect(reply.text == "ab")
            #expect(reply.endsOnce)
            guard case .failed = reply.ending else {
                Issue.record("a dropped stream must fail, it ended with \(String(describing: reply.ending))")
                return
            }
        }
    }

    @Test func cancellingTheConsumerClosesTheUpstreamStream() async throws {
        try await EmulatedProvider.run { provider in
            let endpoint = try provider.endpoint(.openAI)
            let client = provider.client
            let key = provider.key
            let (firstText, sawText) = AsyncStream.makeStream(of: Void.self)
            let consumer = Task {
                let stream = try await client.streamReply(
                    chat("[emulator chunks=500 delay_ms=20]\n" + String(repeating: "x", count: 500)), endpoint: endpoint,
                    apiKey: key, for: nil)
                for await event in stream {
                    if case .text = event { sawText.yield() }
                }
            }
            _ = try await within {
                var iterator = firstText.makeAsyncIterator()
                return await iterator.next() != nil
            }
            consumer.cancel()
            // The emulator's next write fails once the client has closed the connection.
            let closed = try await within {
                while await provider.emulator.stats().streamsClosedEarly == 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                return true
            }
            #expect(closed)
            #expect(await provider.emulator.stats().streamsCompleted == 0)
        }
    }

    @Test func anUnreachableProviderIsThrownAndAllowsFallback() async throws {
        // The emulator's port once it has stopped: nothing listens there.
        let endpoint = try await EmulatedProvider.run { provider in try provider.endpoint(.openAI) }
        let timeouts = ProviderTimeouts(connect: .seconds(1), responseHead: .seconds(5), idle: .seconds(5))
        try await EmulatedProvider.run(timeouts: timeouts) { provider in
            let error = try await within { () async throws -> ProviderCallError? in
                do throws(ProviderCallError) {
                    _ = try await provider.client.streamReply(chat("hi"), endpoint: endpoint, apiKey: provider.key, for: nil)
                    return nil
                } catch {
                    return error
                }
            }
            guard case .unreachable = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(error?.allowsFallback == true)
        }
    }

    @Test func errorDescriptionsHoldNeitherKeyNorURL() async throws {
        try await EmulatedProvider.run { provider in
            let errors = [
                try await provider.streamError(chat("[emulator status=401]\nhi"), .openAI),
                try await provider.streamError(chat("[emulator status=429]\nhi"), .anthropic),
                try await provider.completeError(chat("[emulator status=503]\nhi"), .openAI),
            ]
            for error in errors {
                let text = String(describing: try #require(error))
                let leaks = provider.key.withPlaintext { text.contains($0) } || text.contains(provider.baseURL)
                #expect(!leaks)
            }
        }
    }

    @Test func readsRetryAfterAsSecondsOrAnHTTPDate() {
        #expect(ProviderClient.retryAfter("12") == .seconds(12))
        #expect(ProviderClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == .zero)
        #expect(ProviderClient.retryAfter("soon") == nil)
        #expect(ProviderClient.retryAfter(nil) == nil)
    }
}
