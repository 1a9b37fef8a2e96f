import Foundation
import Testing

@testable import AgentProviders

/// Whole, non-streamed response bodies.
@Suite struct ChatWireProtocolReplyTests {
    static func decode(_ body: String, as wireProtocol: ChatWireProtocol) throws(ProviderFailure) -> ChatReply {
        try wireProtocol.decodeReply(Data(body.utf8))
    }

    // MARK: OpenAI

    @Test func openAICompletion() throws {
        let body = """
            {"id":"chatcmpl-D1","object":"chat.completion","created":1764750003,"model":"gpt-4o-mini-2024-07-18",\
            "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, 世界.","refusal":null,"annotations":[]},\
            "logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,\
            "prompt_tokens_details":{"cached_tokens":0}},"service_tier":"default","system_fingerprint":"fp_1"}
            """
        let reply = try Self.decode(body, as: .openAI)
        #expect(reply == ChatReply(text: "Hello there, 世界.", finishReason: .stop, usage: TokenUsage(prompt: 9, completion: 12)))
    }

    @Test func openAICompletionWithoutUsageOrContent() throws {
        let body = #"{"choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"length"}]}"#
        #expect(try Self.decode(body, as: .openAI) == ChatReply(text: "", finishReason: .length, usage: TokenUsage()))
    }

    /// A whole reply with neither text nor a finish reason is no answer (see the streamed `[DONE]` alone).
    @Test func aWholeReplyWithNeitherTextNorAReasonFails() {
        let failure = ProviderFailure.protocolViolation(.endedEarly)
        #expect(throws: failure) { try Self.decode(#"{"choices":[{"index":0,"message":{}}]}"#, as: .openAI) }
        #expect(throws: failure) { try Self.decode(#"{"type":"message","content":[]}"#, as: .anthropic) }
        #expect(throws: failure) {
            try Self.decode(#"{"type":"message","content":[{"type":"text","text":""}],"stop_reason":null}"#, as: .anthropic)
        }
    }

    @Test func openAIErrorBody() {
        let body =
            #"{"error":{"message":"Incorrect API key provided: sk-proj-SECRET.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        #expect(throws: ProviderFailure.provider(kind: "invalid_request_error")) { try Self.decode(body, as: .openAI) }
    }

    // MARK: Anthropic

    @Test func anthropicMessage() throws {
        let body = """
            {"id":"msg_04","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[\
            {"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Two "},{"type":"text","text":"blocks."}],\
            "stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":7}}
            """
        let reply = try Self.decode(body, as: .anthropic)
        #expect(reply == ChatReply(text: "Two blocks.", finishReason: .length, usage: TokenUsage(prompt: 25, completion: 7)))
    }

    @Test func anthropicErrorBody() {
        let body = #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-ant-SECRET"}}"#
        #expect(throws: ProviderFailure.provider(kind: "authentication_error")) { try Self.decode(body, as: .anthropic) }
    }

    // MARK: Malformed

    @Test(arguments: ChatWireProtocol.allCases)
    func malformedBodiesAreProtocolViolations(_ wireProtocol: ChatWireProtocol) {
        for body in ["", "<html>502 Bad Gateway</html>", "[]", "{}", #"{"choices":"#] {
            #expect(throws: ProviderFailure.protocolViolation(.malformedJSON)) { try Self.decode(body, as: wireProtocol) }
        }
    }
}
