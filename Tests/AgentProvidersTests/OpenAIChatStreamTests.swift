import Testing

@testable import AgentProviders

@Suite struct OpenAIChatStreamTests {
    static func decode(_ body: String) -> ReplyTranscript {
        ReplyTranscript.decode(body, as: .openAI)
    }

    // MARK: Recorded streams

    /// A negative count is unknown (and then estimated); one past what a ledger row holds is capped.
    @Test func countsOutOfRangeAreIgnoredOrCapped() {
        let reply = Self.decode(
            """
            data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":-7,"completion_tokens":99999999999999}}

            data: [DONE]


            """)
        #expect(reply.text == "Hi")
        #expect(reply.usage == TokenUsage(prompt: nil, completion: TokenUsage.largestCount))

        // Past Int's range, or not a whole number: capped, or unknown, and the reply still finishes.
        let odd = Self.decode(
            """
            data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}

            data: {"choices":[],"usage":{"prompt_tokens":2.5,"completion_tokens":99999999999999999999}}

            data: [DONE]


            """)
        #expect(odd.ending == .finished(.stop))
        #expect(odd.usage == TokenUsage(prompt: nil, completion: TokenUsage.largestCount))
    }

    @Test func readsTextThenUsageFromTheUsageOnlyChunk() {
        let reply = Self.decode(RecordedStreams.openAIWithUsageChunk)
        #expect(reply.text == RecordedStreams.openAIWithUsageChunkText)
        #expect(reply.usage == TokenUsage(prompt: 19, completion: 9))
        #expect(reply.ending == .finished(.stop))
        #expect(reply.endsOnce)
    }

    @Test func readsUsageFromAChunkThatAlsoCarriesContent() {
        let reply = Self.decode(RecordedStreams.openAIUsageOnContentChunk)
        #expect(
            reply.events == [
                .text("Hel"), .text("lo."), .usage(TokenUsage(prompt: 42, completion: 2)), .finished(.length),
            ])
    }

    @Test func anErrorObjectMidStreamFailsWithItsTypeOnly() {
        let reply = Self.decode(RecordedStreams.openAIMidStreamError)
        #expect(reply.text == "Partial answer")
        #expect(reply.ending == .failed(.provider(kind: "server_error")))
        #expect(reply.endsOnce)
        #expect(!String(describing: reply.events).contains("SECRET"))
    }

    @Test(arguments: [
        Recorded("usage chunk", RecordedStreams.openAIWithUsageChunk),
        Recorded("usage on a content chunk", RecordedStreams.openAIUsageOnContentChunk),
        Recorded("error mid-stream", RecordedStreams.openAIMidStreamError),
    ])
    func everySplitYieldsTheSameReply(_ recorded: Recorded) {
        let body = recorded.text
        let whole = Self.decode(body)
        for chunks in Chunking.everySplit(of: body) {
            #expect(ReplyTranscript.decode(chunks, as: .openAI) == whole)
        }
    }

    // MARK: Errors

    @Test(arguments: [
        (Recorded("code", #"{"error":{"message":"m","type":null,"code":"rate_limit_exceeded"}}"#), "rate_limit_exceeded"),
        (Recorded("numeric code", #"{"error":{"message":"m","code":502}}"#), "502"),
        (Recorded("a string", #"{"error":"Internal error with key sk-123"}"#), "unknown"),
        (
            Recorded(
                "a sentence as type", #"{"error":{"message":"m","type":"a sentence with spaces","code":"invalid_api_key"}}"#),
            "invalid_api_key"
        ),
        (
            Recorded(
                "a key as type",
                #"{"error":{"message":"m","type":"sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#
            ),
            "unknown"
        ),
    ])
    func keepsOnlyAShortErrorKind(_ payload: Recorded, kind: String) {
        let reply = Self.decode("data: \(payload.text)\n\n")
        #expect(reply.events == [.failed(.provider(kind: kind))])
    }

    @Test(arguments: [
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}\n\n",
        "data: not json\n\n",
        "data: [1, 2]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":42}}]}\n\n",
    ])
    func malformedDataIsAProtocolViolation(_ body: String) {
        let reply = Self.decode("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n" + body + "data: [DONE]\n\n")
        #expect(reply.events == [.text("ok"), .failed(.protocolViolation(.malformedJSON))])
    }

    // MARK: The end of the stream

    @Test func nothingAfterDoneCounts() {
        let reply = Self.decode(
            "data: {\"choices\":[{\"delta\":{\"content\":\"early\"}}]}\n\ndata: [DONE]\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n")
        #expect(reply.events == [.text("early"), .finished(nil)])
    }

    /// A server or proxy that gives up may send `[DONE]` alone: that is no answer, and must not be stored
    /// as an empty `complete` reply.
    @Test func doneWithNeitherTextNorAFinishReasonFails() {
        let reply = Self.decode("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\ndata: [DONE]\n\n")
        #expect(reply.events == [.failed(.protocolViolation(.endedEarly))])
    }

    @Test func aStreamThatBreaksOffFails() {
        let reply = Self.decode("data: {\"choices\":[{\"delta\":{\"content\":\"cut\"},\"finish_reason\":null}]}\n\ndata: {\"cho")
        #expect(reply.events == [.text("cut"), .failed(.protocolViolation(.endedEarly))])
    }

    @Test func anEmptyBodyFails() {
        #expect(Self.decode("").events == [.failed(.protocolViolation(.endedEarly))])
    }

    @Test func aFinishReasonWithoutDoneStillFinishes() {
        let reply = Self.decode("data: {\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"tool_calls\"}]}\n\n")
        #expect(reply.events == [.text("a"), .finished(.toolCalls)])
    }

    @Test func anOversizedEventFails() {
        var decoder = ChatWireProtocol.openAI.makeStreamDecoder(maximumEventSize: 100)
        let events = decoder.decode(Array(("data: " + String(repeating: "x", count: 200)).utf8))
        #expect(events == [.failed(.protocolViolation(.eventTooLarge(limit: 100)))])
        #expect(decoder.isEnded)
        #expect(decoder.decode(Array("\n\ndata: [DONE]\n\n".utf8)).isEmpty)
        #expect(decoder.finish().isEmpty)
    }

    @Test func textBeforeAnOversizedEventInTheSameChunkIsKept() {
        var decoder = ChatWireProtocol.openAI.makeStreamDecoder(maximumEventSize: 100)
        let body = "data: {\"choices\":[{\"delta\":{\"content\":\"kept\"}}]}\n\ndata: " + String(repeating: "x", count: 200)
        #expect(decoder.decode(Array(body.utf8)) == [.text("kept"), .failed(.protocolViolation(.eventTooLarge(limit: 100)))])
    }

    @Test func ignoresOtherChoicesAndEmptyDeltas() {
        let body = """
            data: {"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"mine"}}]}

            data: {"choices":[{"index":0,"delta":{"content":"","tool_calls":[{"index":0}]}}]}

            data: {"choices":[{"index":0,"delta":{"content":null},"finish_reason":"content_filter"}]}

            data: [DONE]


            """
        #expect(Self.decode(body).events == [.text("mine"), .finished(.contentFilter)])
    }
}
