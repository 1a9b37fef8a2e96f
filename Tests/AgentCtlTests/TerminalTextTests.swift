import Testing

@testable import agentctl

/// Text a tenant chose, printed on the operator's terminal, stays one field of one line.
@Suite struct TerminalTextTests {
    @Test func controlAndFormatCharactersAreWrittenOut() {
        let name = "x\nFAKE\tactive\u{1B}[2J\u{202E}evil\\"
        #expect(name.terminalSafe == "x\\u{A}FAKE\\u{9}active\\u{1B}[2J\\u{202E}evil\\\\")
        #expect("café ☕ token".terminalSafe == "café ☕ token")
    }
}
