import ProviderEmulator
import Testing

/// The emulator's directive syntax, which tests and the README rely on.
@Suite struct EmulatorScriptTests {
    @Test func appliesDirectivesSeparatedByCommasAndSpaces() throws {
        let script = try EmulatorScript().applying(
            directives: #"chunks=5, delay_ms=20 usage=off error_after=2 status=429 retry_after=3 text="two words""#)
        #expect(script.chunks == 5)
        #expect(script.delay == .milliseconds(20))
        #expect(!script.usage)
        #expect(script.errorAfter == 2)
        #expect(script.status == 429)
        #expect(script.retryAfterSeconds == 3)
        #expect(try EmulatorScript().applying(directives: "status=429 status_times=2").statusTimes == 2)
        #expect(script.text == .fixed("two words"))
        #expect(try script.applying(directives: "echo").text == .echo)
    }

    @Test(arguments: ["chunks=0", "chunks=x", "usage=maybe", "status=200", "colour=blue", "delay_ms=-1"])
    func refusesABadDirective(_ directive: String) {
        #expect(throws: EmulatorScript.DirectiveError.self) { try EmulatorScript().applying(directives: directive) }
    }
}
