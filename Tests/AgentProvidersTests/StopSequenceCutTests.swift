import Testing

@testable import AgentProviders

/// The stop sequences the platform applies itself: the text ends where the first begins, however the
/// provider's pieces split it.
@Suite struct StopSequenceCutTests {
    /// The events `cut` tells of `pieces` followed by a finished event.
    func told(_ pieces: [String], cutting sequences: [String]) -> (text: String, events: [ReplyEvent]) {
        var cut = StopSequenceCut(sequences)
        var events: [ReplyEvent] = []
        for piece in pieces { events += cut.pass(.text(piece)) }
        events += cut.pass(.usage(TokenUsage(prompt: 3, completion: 4)))
        events += cut.pass(.finished(.length))
        let text = events.map { if case .text(let piece) = $0 { piece } else { "" } }.joined()
        return (text, events)
    }

    @Test(arguments: [
        ("one two three four", ["three"], "one two "),
        ("one two three four", ["four", "three"], "one two "),
        ("aab", ["ab"], "a"),
        ("abababc", ["ababc"], "ab"),
        ("line\nnext", ["\n"], "line"),
        ("héllo wörld", ["ö"], "héllo w"),
        ("no sequence here", ["xyz"], "no sequence here"),
        ("ends with a partial th", ["three"], "ends with a partial th"),
    ])
    func theTextEndsAtTheFirstSequenceHoweverItIsSplit(whole: String, sequences: [String], expected: String) {
        let scalars = Array(whole.unicodeScalars)
        let stops = expected != whole
        // Whole, one scalar a piece, and split in two at every boundary.
        var splits: [[String]] = [[whole], scalars.map { String($0) }]
        for index in 1..<scalars.count {
            splits.append([
                String(String.UnicodeScalarView(scalars[..<index])), String(String.UnicodeScalarView(scalars[index...])),
            ])
        }
        for pieces in splits {
            let (text, events) = told(pieces, cutting: sequences)
            #expect(text == expected, "\(pieces)")
            if stops {
                // The reply ends as a provider's stop ends it; what followed is not told.
                #expect(events.last == .finished(.stop), "\(pieces)")
                #expect(!events.contains(.finished(.length)) && !events.contains { if case .usage = $0 { true } else { false } })
            } else {
                #expect(events.last == .finished(.length), "\(pieces)")
            }
        }
    }

    /// Text held back because it could begin a sequence is told before a failure too: text so far stands.
    @Test func heldTextIsToldBeforeAFailure() {
        var cut = StopSequenceCut(["three"])
        #expect(cut.pass(.text("one two th")) == [.text("one two ")])
        #expect(cut.pass(.failed(.timedOut)) == [.text("th"), .failed(.timedOut)])
    }

    @Test func withoutSequencesEveryEventPasses() {
        var cut = StopSequenceCut([])
        for event: ReplyEvent in [.text("three"), .usage(TokenUsage(prompt: 1, completion: 1)), .finished(nil)] {
            #expect(cut.pass(event) == [event])
        }
    }

    @Test func aWholeReplyIsCutKeepingItsUsage() {
        let usage = TokenUsage(prompt: 5, completion: 9)
        let reply = ChatReply(text: "one two three", finishReason: .length, usage: usage)
        #expect(
            StopSequenceCut(["three"]).applied(to: reply) == ChatReply(text: "one two ", finishReason: .stop, usage: usage))
        #expect(StopSequenceCut(["four"]).applied(to: reply) == reply)
    }

    /// Which sequences each protocol sends, and which the platform applies: OpenAI's reasoning models
    /// refuse `stop`, and Anthropic a sequence of whitespace alone.
    @Test func eachProtocolSendsTheSequencesItsProviderTakes() {
        let ordinary = ChatRequest(model: "gpt-4o", messages: [], stopSequences: ["\n", "END"])
        let reasoning = ChatRequest(model: "o3-mini", messages: [], stopSequences: ["\n", "END"])
        #expect(ChatWireProtocol.openAI.stopSequencesSent(for: ordinary) == ["\n", "END"])
        #expect(ChatWireProtocol.openAI.stopSequencesCutHere(for: ordinary).isEmpty)
        #expect(ChatWireProtocol.openAI.stopSequencesSent(for: reasoning).isEmpty)
        #expect(ChatWireProtocol.openAI.stopSequencesCutHere(for: reasoning) == ["\n", "END"])
        #expect(ChatWireProtocol.anthropic.stopSequencesSent(for: ordinary) == ["END"])
        #expect(ChatWireProtocol.anthropic.stopSequencesCutHere(for: ordinary) == ["\n"])
    }
}
