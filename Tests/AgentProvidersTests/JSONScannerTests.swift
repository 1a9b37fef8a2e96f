import Foundation
import Testing

@testable import AgentProviders

/// The scanner that reads OpenAI's common chunks takes only what `JSONDecoder` reads the same way, and
/// leaves everything else to it.
@Suite struct JSONScannerTests {
    /// What a chunk says, to compare the scanner's reading with the decoder's.
    struct Reading: Equatable {
        var choices: [String]?
        var hasUsage: Bool
        var hasError: Bool

        init(_ chunk: OpenAIChatChunk) {
            choices = chunk.choices?.map {
                "\($0.index.map(String.init) ?? "-")|\($0.delta?.content ?? "<nil>")|\($0.finishReason ?? "<nil>")"
            }
            hasUsage = chunk.usage != nil
            hasError = chunk.error != nil
        }
    }

    static func scanned(_ text: String) -> OpenAIChatChunk? {
        Array(text.utf8).withUnsafeBytes { OpenAIChatChunk.scanned($0) }
    }

    static func decoded(_ text: String) -> OpenAIChatChunk? {
        try? JSONDecoder().decode(OpenAIChatChunk.self, from: Data(text.utf8))
    }

    static let common = [
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#,
        #"{"id":"c","choices":[{"index":0,"delta":{"content":"Hello, \"world\"\n\tand \\ / \/ \b\f\r"},"finish_reason":null}]}"#,
        #"{"choices":[{"index":0,"delta":{"content":"caf\u00e9 \ud83d\ude00 \u4e2d"}}]}"#,
        #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
        #"  {"choices" : [ { "index" : 0 , "delta" : { "content" : "spaced" } } ] }  "#,
        #"{"choices":[],"x":{"nested":[1,-2.5e3,0.25,true,false,null,{"a":[]}]}}"#,
        #"{"choices":null}"#,
        #"{"choices":[{"delta":{"content":null},"finish_reason":"length","index":null}]}"#,
        #"{"choices":[{"index":1,"delta":{"content":"second"}},{"index":0,"delta":{"content":"first"}}]}"#,
        #"{"choices":[{"index":0,"delta":{"content":"émoji 😀 straight UTF-8"}}]}"#,
        "{}",
    ]

    @Test(arguments: common)
    func readsCommonChunksAsTheDecoderDoes(_ text: String) throws {
        let scanned = try #require(Self.scanned(text))
        let decoded = try #require(Self.decoded(text))
        #expect(Reading(scanned) == Reading(decoded))
    }

    /// Usage, errors and whatever the scanner does not read exactly as the decoder would go to the decoder.
    @Test(arguments: [
        #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
        #"{"error":{"message":"m","code":"rate_limit_exceeded"}}"#,
        #"{"choices":[{"index":0.0,"delta":{"content":"x"}}]}"#,
        #"{"choices":[{"index":1e0,"delta":{"content":"x"}}]}"#,
        #"{"choices":[{"index":"0","delta":{"content":"x"}}]}"#,
        #"{"choices":[{"index":99999999999999999999,"delta":{"content":"x"}}]}"#,
        #"{"choices":[{"delta":{"content":"lone \ud83d surrogate"}}]}"#,
        #"{"choices":[{"delta":{"content":"lone \ude00 low"}}]}"#,
        #"{"choices":[{"delta":{"content":"bad \x escape"}}]}"#,
        #"{"choices":[{"delta":{"content":"bad \u12G4 hex"}}]}"#,
        #"{"choices":[{"delta":{"content":5}}]}"#,
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"choices":[],"choices":null}"#,
        #"{"choices":[{"delta":{"content":"x"}}]} trailing"#,
        #"{"choices":[{"delta":{"content":"x"}}],}"#,
        #"{"choices":[{"delta":{"content":"x"}},]}"#,
        #"{"x":01}"#,
        #"{"x":-}"#,
        #"{"x":1.}"#,
        #"{"x":tru}"#,
        #"{"x":"unterminated}"#,
        "{\"x\":\"control \u{01} character\"}",
        #"[1,2]"#,
        #""#,
        #"{"choices":[{"delta":{"content":"x"}}]"#,
        String(repeating: #"{"x":"#, count: 70) + "1" + String(repeating: "}", count: 70),
    ])
    func leavesTheRestToTheDecoder(_ text: String) {
        #expect(Self.scanned(text) == nil)
    }

    /// Whatever the scanner reads, the decoder reads the same, over generated chunks of every kind.
    @Test func agreesWithTheDecoderOnGeneratedChunks() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "😀", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", " ", "\\\\", "\\/", "x y"]
        let extras = [#","id":"c""#, #","n":-0.5e-3"#, #","o":{"p":[true,null]}"#, ""]
        for _ in 0..<500 {
            let content = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
                .joined()
            let reason = [#""stop""#, "null", #""length""#].randomElement(using: &generator)!
            let extra = extras.randomElement(using: &generator)!
            let text = #"{"choices":[{"index":0,"delta":{"content":"\#(content)"},"finish_reason":\#(reason)}]\#(extra)}"#
            let decoded = try #require(Self.decoded(text), "\(text)")
            let scanned = try #require(Self.scanned(text), "\(text)")
            #expect(Reading(scanned) == Reading(decoded), "\(text)")
        }
    }
}
