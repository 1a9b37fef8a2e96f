import AgentStore
import Foundation
import Testing

@Suite struct ResourceIDTests {
    @Test func acceptsWhatAStoredIDCanBe() {
        for value in [
            "a", "0190f2c4-7b1e-7c3a-9d2e-4f5a6b7c8d9e", "conversation with spaces", "ü", String(repeating: "x", count: 200),
        ] {
            #expect(AgentID(rawValue: value)?.rawValue == value)
            #expect(ConnectionID(rawValue: value)?.rawValue == value)
            #expect(MessageID(rawValue: value)?.rawValue == value)
            #expect(ConversationID(rawValue: value)?.rawValue == value)
            #expect(TokenID(rawValue: value)?.rawValue == value)
        }
    }

    @Test func refusesEmptyOverlongAndControlCharacters() {
        for value in ["", String(repeating: "x", count: 201), "a\u{0}b", "a\nb", "\u{7F}"] {
            #expect(AgentID(rawValue: value) == nil)
            #expect(ConnectionID(rawValue: value) == nil)
            #expect(MessageID(rawValue: value) == nil)
            #expect(ConversationID(rawValue: value) == nil)
            #expect(TokenID(rawValue: value) == nil)
        }
    }

    @Test func areTheirTextInJSONAndInterpolation() throws {
        let id = try #require(ConversationID(rawValue: "c-1"))
        #expect(String(decoding: try JSONEncoder().encode([id]), as: UTF8.self) == #"["c-1"]"#)
        #expect(try JSONDecoder().decode([ConversationID].self, from: Data(#"["c-1"]"#.utf8)) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([AgentID].self, from: Data(#"[""]"#.utf8)) }
        #expect("\(id)" == "c-1")
    }
}
