import Foundation
import NIOCore
import Testing

@testable import AgentAPI
@testable import AgentStore

/// The streaming encoder against Foundation's `JSONEncoder` (with the API's date format): both outputs
/// are parsed back and compared, so escaping and number spelling may differ but meaning may not.
@Suite struct JSONStreamEncoderTests {
    // MARK: Fixtures

    struct Item: Encodable, Identified, Sendable {
        let id: String
        let content: String
        @Nullable var metadata: JSONValue?
        let createdAt: Date
        let note: String?

        private enum CodingKeys: String, CodingKey {
            case id, content, metadata
            case createdAt = "created_at"
            case note
        }
    }

    /// Uses every kind of container, and writes members after nested containers so that closing is tested.
    struct Nested: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            var inner = container.nestedContainer(keyedBy: Key.self, forKey: .a)
            try inner.encode(1, forKey: .a)
            var list = inner.nestedUnkeyedContainer(forKey: .b)
            try list.encode("x")
            try list.encodeNil()
            var deeper = list.nestedContainer(keyedBy: Key.self)
            try deeper.encode(true, forKey: .c)
            try list.encode(2.5)
            try inner.encode("after list", forKey: .c)
            try container.encode([1, 2, 3], forKey: .b)
            var single = container.superEncoder(forKey: .c).singleValueContainer()
            try single.encode(Date(timeIntervalSince1970: 0))
            _ = container.nestedUnkeyedContainer(forKey: .d)
        }

        enum Key: String, CodingKey { case a, b, c, d }
    }

    /// Adds members to another value's object, as `IssuedTokenBody` does.
    struct Merged: Encodable {
        let item: Item
        func encode(to encoder: any Encoder) throws {
            try item.encode(to: encoder)
            var container = encoder.container(keyedBy: Nested.Key.self)
            try container.encode([true], forKey: .a)
            var again = encoder.container(keyedBy: Nested.Key.self)
            try again.encode("last", forKey: .b)
        }
    }

    static let awkwardStrings = [
        "", "plain", "quote \" and backslash \\", "slash / stays", "line\nbreak\ttab\r\u{8}\u{C}",
        "nul \u{0} and \u{1F} and \u{7F}", "naïve 日本語 🚀👩‍👩‍👧", String(repeating: "long ", count: 400),
    ]

    static let metadata: JSONValue = .object([
        "n": .number(3), "fraction": .number(-0.125), "big": .number(1e300), "tiny": .number(5e-300),
        "beyond": .number(9_007_199_254_740_994), "nested": .array([.null, .bool(false), .string("é\"\\")]),
        "empty": .object([:]),
    ])

    // MARK: Tests

    @Test func listPageMatchesFoundation() throws {
        let items = Self.awkwardStrings.enumerated().map { index, text in
            Item(
                id: "id-\(index)", content: text, metadata: index.isMultiple(of: 2) ? Self.metadata : nil,
                createdAt: Date(timeIntervalSince1970: 1_764_020_860.723 + Double(index)), note: index == 1 ? text : nil)
        }
        try expectSameMeaning(ListBody(data: items, hasMore: true))
        try expectSameMeaning(ListBody<Item>(data: [], hasMore: false))
    }

    @Test func nestedContainersCloseInOrder() throws {
        let text = try encodedText(Nested())
        #expect(
            text
                == #"{"a":{"a":1,"b":["x",null,{"c":true},2.5],"c":"after list"},"b":[1,2,3],"c":"1970-01-01T00:00:00.000Z","d":[]}"#
        )
    }

    @Test func secondContainerContinuesTheObject() throws {
        let item = Item(id: "i", content: "c", metadata: .null, createdAt: Date(timeIntervalSince1970: 0), note: nil)
        try expectSameMeaning([Merged(item: item), Merged(item: item)])
        #expect(try encodedText(Merged(item: item)).hasSuffix(#","a":[true],"b":"last"}"#))
    }

    /// Hides a message's type, so that the writer walks its `encode(to:)` as it does any other body's.
    struct Walked: Encodable, Identified, Sendable {
        let message: MessageBody
        var id: String { message.id }
        func encode(to encoder: any Encoder) throws { try message.encode(to: encoder) }
    }

    static let messages: [Message] = {
        let createdAt = Date(timeIntervalSince1970: 1_764_020_860.723)
        let generated = Message.Generation(
            model: "gpt-4o-mini", connectionID: ConnectionID(rawValue: "c-1"),
            usage: MessageUsage(promptTokens: 12, completionTokens: 34, estimated: true), latencyMilliseconds: 1_250,
            timeToFirstTokenMilliseconds: 80, finishReason: "stop", error: "provider-error")
        func message(_ content: String, _ metadata: JSONValue?, parent: String?, _ generation: Message.Generation?) -> Message {
            Message(
                id: MessageID(rawValue: "m-\(content.count)")!, agentID: AgentID(rawValue: "a \"1\"")!,
                conversationID: ConversationID(rawValue: "conv/é")!, userID: UserID(rawValue: "u1")!,
                role: generation == nil ? .user : .assistant, content: content, metadata: metadata, createdAt: createdAt,
                parentID: parent.flatMap(MessageID.init(rawValue:)), startsAnew: parent == nil && generation == nil,
                status: generation == nil ? .complete : .failed,
                generation: generation)
        }
        return [
            message("", nil, parent: nil, nil),
            message(awkwardStrings[4], metadata, parent: "m-0", generated),
            message(awkwardStrings[6], .null, parent: nil, Message.Generation(model: "m")),
        ]
    }()

    /// A message writes itself without `encode(to:)` (``MessageBody/write(to:)``): byte for byte what walking
    /// its `encode(to:)` writes, alone and as a page's item.
    @Test(arguments: messages)
    func aMessageWritesWhatItsEncodableWrites(_ message: Message) throws {
        let body = MessageBody(message)
        #expect(try encodedText(body) == encodedText(Walked(message: body)))
        let page = try encodedText(ListBody(data: [body, body], hasMore: false))
        #expect(try page == encodedText(ListBody(data: [Walked(message: body), Walked(message: body)], hasMore: false)))
        try expectSameMeaning(body)
    }

    @Test(arguments: awkwardStrings)
    func stringsRoundTrip(_ text: String) throws {
        let decoded = try JSONDecoder().decode([String].self, from: Data(encodedText([text]).utf8))
        #expect(decoded == [text])
    }

    /// The word-at-a-time scan must notice an escapable byte wherever it falls, next to multi-byte text.
    @Test func everyEscapableByteAtEveryOffset() throws {
        let escapable = (0..<0x20).map { Character(Unicode.Scalar($0)) } + ["\"", "\\"]
        for character in escapable {
            for offset in 0..<20 {
                var text = Array(repeating: Character("é"), count: 20)
                text[offset] = character
                let value = String(text)
                let decoded = try JSONDecoder().decode([String].self, from: Data(encodedText([value]).utf8))
                #expect(decoded == [value], "byte \(character.asciiValue ?? 0) at offset \(offset)")
            }
        }
    }

    @Test func integralDoublesHaveNoFraction() throws {
        #expect(try encodedText([1.0, -2.0, 0.5, 1e300]) == "[1,-2,0.5,1e+300]")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersAreRefused(_ value: Double) {
        #expect(throws: EncodingError.self) { try JSONStreamEncoder.encode([value]) }
    }

    // MARK: Helpers

    private func encodedText(_ value: some Encodable) throws -> String {
        var buffer = try JSONStreamEncoder.encode(value)
        return buffer.readString(length: buffer.readableBytes) ?? ""
    }

    private func expectSameMeaning(_ value: some Encodable) throws {
        let reference = JSONEncoder()
        reference.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        let expected = try JSONDecoder().decode(JSONValue.self, from: reference.encode(value))
        let actual = try JSONDecoder().decode(JSONValue.self, from: Data(encodedText(value).utf8))
        #expect(actual == expected)
    }
}
