import Testing

@testable import agentctl

/// Text a tenant chose, printed on the operator's terminal, stays one field of one line.
@Suite struct TerminalTextTests {
    @Test func controlAndFormatCharactersAreWrittenOut() {
        let name = "x\nFAKE\tactive\u{1B}[2J\u{202E}evil\\"
        #expect(name.terminalSafe == "x\\u{A}FAKE\\u{9}active\\u{1B}[2J\\u{202E}evil\\\\")
        #expect("café ☕ token".terminalSafe == "café ☕ token")
    }

    /// A message quoting a log keeps its lines; what is in them is written out.
    @Test func aQuotedLogKeepsItsLinesButNotItsEscapes() {
        let message = "the server did not start; its log ends:\n  DETAIL: Key (email)=(\u{1B}]0;owned\u{7})\n"
        #expect(
            message.terminalSafeLines
                == "the server did not start; its log ends:\n  DETAIL: Key (email)=(\\u{1B}]0;owned\\u{7})\n")
    }
}
