import Testing

@testable import AgentProviders

@Suite struct AnthropicMessagesStreamTests {
    static func decode(_ body: String) -> ReplyTranscript {
        ReplyTranscript.decode(body, as: .anthropic)
    }

    // MARK: Recorded streams

    @Test func readsTextUsageAndStopReason() {
        let reply = Self.decode(RecordedStreams.anthropicText)
        #expect(
            reply.events == [
                .usage(TokenUsage(prompt: 472)),
                .text("Bonjour, "), .text("ça va ? 🙂"),
                .usage(TokenUsage(prompt: nil, completion: 15)),
                .finished(.stop),
            ])
        #expect(reply.text == RecordedStreams.anthropicTextText)
        #expect(reply.usage == TokenUsage(prompt: 472, completion: 15))
    }

    @Test func readsOnlyTextBlocksCountsTheCachedPromptAndIgnoresNewEventTypes() {
        let reply = Self.decode(RecordedStreams.anthropicWithOtherBlocks)
        #expect(reply.text == "Answer")
        #expect(reply.usage == TokenUsage(prompt: 1_110, completion: 64))
        #expect(reply.ending == .finished(.length))
        #expect(reply.endsOnce)
    }

    /// The output count of `message_start` (1) is not the reply's: cut before `message_delta`, the
    /// completion is unreported, so the ledger estimates it from the text rather than record one token.
    @Test func anErrorEventMidStreamFailsWithItsTypeOnly() {
        let reply = Self.decode(RecordedStreams.anthropicOverloaded)
        #expect(reply.text == "Half")
        #expect(reply.usage == TokenUsage(prompt: 12, completion: nil))
        #expect(reply.ending == .failed(.provider(kind: "overloaded_error")))
        #expect(reply.endsOnce)
        #expect(!String(describing: reply.events).contains("SECRET"))
    }

    /// Counts a provider cannot have meant are not taken as reported: a negative one is unknown (and then
    /// estimated), one past what a ledger row holds is capped. Int.max input tokens and one cached token
    /// once overflowed the sum and stopped the process: one tenant's provider could stop it for all.
    @Test func countsOutOfRangeAreIgnoredOrCapped() {
        let reply = Self.decode(
            """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":9223372036854775807,"cache_read_input_tokens":1,"output_tokens":-3}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":-1}}

            event: message_stop
            data: {"type":"message_stop"}


            """)
        #expect(reply.text == "Hi")
        #expect(reply.usage == TokenUsage(prompt: TokenUsage.largestCount, completion: nil))

        // Past Int's range: capped, and the reply still finishes.
        let huge = Self.decode(
            """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":1e30,"output_tokens":1}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":99999999999999999999}}

            event: message_stop
            data: {"type":"message_stop"}


            """)
        #expect(huge.ending == .finished(.stop))
        #expect(huge.usage == TokenUsage(prompt: TokenUsage.largestCount, completion: TokenUsage.largestCount))
    }

    @Test(arguments: [
        Recorded("text", RecordedStreams.anthropicText), Recorded("other blocks", RecordedStreams.anthropicWithOtherBlocks),
        Recorded("overloaded", RecordedStreams.anthropicOverloaded),
    ])
    func everySplitYieldsTheSameReply(_ recorded: Recorded) {
        let body = recorded.text
        let whole = Self.decode(body)
        for chunks in Chunking.everySplit(of: body) {
            #expect(ReplyTranscript.decode(chunks, as: .anthropic) == whole)
        }
    }

    // MARK: Stop reasons

    @Test(arguments: [
        ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("max_tokens", .length),
        ("tool_use", .toolCalls), ("refusal", .contentFilter), ("pause_turn", .other("pause_turn")),
        ("a reason, with prose", .other("unknown")),
    ])
    func mapsStopReasons(_ reason: String, expected: FinishReason) {
        let body = """
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"\(reason)"},"usage":{"output_tokens":3}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        #expect(Self.decode(body).ending == .finished(expected))
    }

    // MARK: Malformed and short streams

    @Test func malformedDataIsAProtocolViolation() {
        let body =
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"\n\n"
        #expect(Self.decode(body).events == [.failed(.protocolViolation(.malformedJSON))])
    }

    @Test func anErrorWithoutAnErrorObjectIsOfUnknownKind() {
        #expect(Self.decode("event: error\ndata: {\"type\":\"error\"}\n\n").events == [.failed(.provider(kind: "unknown"))])
    }

    @Test func theEventNameStandsInForAMissingType() {
        let body =
            "event: content_block_delta\ndata: {\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\nevent: message_stop\ndata: {}\n\n"
        #expect(Self.decode(body).events == [.text("x"), .finished(nil)])
    }

    @Test func aStreamWithoutMessageStopFailsUnlessItGaveAStopReason() {
        let cut =
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n"
        #expect(Self.decode(cut).events == [.text("x"), .failed(.protocolViolation(.endedEarly))])
        let stopped =
            cut + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n"
        #expect(Self.decode(stopped).events == [.text("x"), .finished(.stop)])
    }

    /// A server or proxy that gives up may end the message with neither text nor a stop reason: that is no
    /// answer, and must not be stored as an empty `complete` reply. An empty answer with its reason is one.
    @Test func messageStopWithNeitherTextNorAStopReasonFails() {
        let stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        let start =
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
        #expect(Self.decode(stop).events == [.failed(.protocolViolation(.endedEarly))])
        #expect(Self.decode(start + stop).events == [.usage(TokenUsage(prompt: 9)), .failed(.protocolViolation(.endedEarly))])
        let reason = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n"
        #expect(Self.decode(start + reason + stop).events == [.usage(TokenUsage(prompt: 9)), .finished(.stop)])
    }

    @Test func keepAliveCommentsAndPingsAreIgnored() {
        let body = ": keep-alive\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n" + RecordedStreams.anthropicText
        #expect(Self.decode(body) == Self.decode(RecordedStreams.anthropicText))
    }
}
