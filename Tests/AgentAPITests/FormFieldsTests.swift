import AgentAPI
import Testing

/// Query strings and form bodies, read as a form writes them.
@Suite struct FormFieldsTests {
    @Test func aPlusIsASpaceAndAnEncodedPlusAPlus() {
        let fields = FormFields("q=deploy+lisbon&lang=C%2B%2B&name=caf%C3%A9%20bar")
        #expect(fields["q"] == "deploy lisbon")
        #expect(fields["lang"] == "C++")
        #expect(fields["name"] == "café bar")
    }

    @Test func repeatedEmptyAndMalformedFields() {
        let fields = FormFields("a=1&a=2&empty=&bare&bad=%E0%A4%A&&")
        #expect(fields["a"] == "2")
        #expect(fields["empty"] == "" && fields["bare"] == "")
        // Not valid UTF-8 once decoded: kept as written rather than dropped.
        #expect(fields["bad"] == "%E0%A4%A")
        #expect(fields["missing"] == nil)
        #expect(fields.pairs.map(\.name) == ["a", "a", "empty", "bare", "bad"])
    }
}
