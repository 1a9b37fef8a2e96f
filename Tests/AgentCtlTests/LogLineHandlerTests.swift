import Testing

@testable import agentctl

@Suite struct LogLineHandlerTests {
    @Test(arguments: ["GET", "/v1/agents/{agent_id}", "0193a7c2-5b4e-7f6a-9c8d-0e1f2a3b4c5d"])
    func plainValuesStayBare(_ value: String) {
        #expect(LogLineHandler.quoted(value) == value)
    }

    /// A value can never end the line or pass for another field.
    @Test func otherValuesAreQuotedAndEscaped() {
        #expect(LogLineHandler.quoted("") == #""""#)
        #expect(LogLineHandler.quoted("two words") == #""two words""#)
        #expect(LogLineHandler.quoted("a=b") == #""a=b""#)
        #expect(LogLineHandler.quoted("x\nforged=1") == #""x\nforged=1""#)
        #expect(LogLineHandler.quoted("q\"\\\u{7}") == #""q\"\\\u{7}""#)
    }
}
