import Testing

@testable import AgentReplies

/// A follower's copy of a relayed reply: new text is handed on once, text it has is skipped (a replay for
/// another follower), a piece past what it has is a gap, and the stored end adds only what was not relayed.
@Suite struct RelayedTextTests {
    @Test func piecesInOrderAreHandedOnOnce() {
        var text = RelayedText()
        #expect(!text.heard)
        #expect(text.take("", at: 0) == .known)
        #expect(text.heard)
        #expect(text.take("héllo ", at: 0) == .new("héllo "))
        #expect(text.take("wörld", at: 7) == .new("wörld"))
        #expect(text.text == "héllo wörld")
    }

    @Test func aReplayAddsOnlyWhatIsNew() {
        var text = RelayedText()
        _ = text.take("one two ", at: 0)
        #expect(text.take("one two ", at: 0) == .known)
        #expect(text.take("one two three", at: 0) == .new("three"))
        #expect(text.take("two three four", at: 4) == .new(" four"))
        #expect(text.text == "one two three four")
    }

    @Test func aMissedPieceIsAGap() {
        var text = RelayedText()
        _ = text.take("one ", at: 0)
        #expect(text.take("three", at: 8) == .gap)
        #expect(text.text == "one ")
    }

    @Test func theStoredEndAddsWhatWasNotRelayed() {
        var text = RelayedText()
        _ = text.take("one 😀 ", at: 0)
        #expect(text.remainder(of: "one 😀 two") == "two")
        #expect(text.remainder(of: "one 😀 ") == "")
        #expect(text.remainder(of: "another text") == nil)
    }
}
