import Foundation
import Testing

@testable import AgentProviders

@Suite struct ChatWireProtocolRequestTests {
    static let conversation = [
        ChatMessage(role: .system, content: "You are terse."),
        ChatMessage(role: .user, content: "Hi / ciao 👋"),
        ChatMessage(role: .assistant, content: "Hello."),
        ChatMessage(role: .user, content: "Say \"more\"."),
    ]

    static func body(_ wireProtocol: ChatWireProtocol, _ request: ChatRequest) throws -> String {
        String(decoding: try wireProtocol.requestBody(for: request), as: UTF8.self)
    }

    // MARK: OpenAI

    @Test func openAIStreamsWithUsage() throws {
        let request = ChatRequest(model: "gpt-4o-mini", messages: Self.conversation, temperature: 0.5, maximumTokens: 256)
        #expect(
            try Self.body(.openAI, request) == """
                {"max_tokens":256,"messages":[{"content":"You are terse.","role":"system"},{"content":"Hi / ciao 👋","role":"user"},\
                {"content":"Hello.","role":"assistant"},{"content":"Say \\"more\\".","role":"user"}],"model":"gpt-4o-mini",\
                "stream":true,"stream_options":{"include_usage":true},"temperature":0.5}
                """)
    }

    @Test func openAIWithoutStreamingOrOptionalFields() throws {
        let request = ChatRequest(model: "llama3", messages: [ChatMessage(role: .user, content: "x")], stream: false)
        #expect(
            try Self.body(.openAI, request) == #"{"messages":[{"content":"x","role":"user"}],"model":"llama3","stream":false}"#)
    }

    @Test(arguments: ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "openai/o3"])
    func openAIReasoningModelsGetMaxCompletionTokensAndNoTemperature(model: String) throws {
        let request = ChatRequest(
            model: model, messages: [ChatMessage(role: .user, content: "x")], temperature: 0.7, maximumTokens: 256,
            stream: false)
        #expect(
            try Self.body(.openAI, request)
                == #"{"max_completion_tokens":256,"messages":[{"content":"x","role":"user"}],"model":"\#(model)","stream":false}"#
        )
    }

    @Test(arguments: ["gpt-4o-mini", "gpt-4.1", "llama3", "omni-model", "qwen2.5:7b"])
    func otherModelsKeepMaxTokensAndTemperature(model: String) throws {
        let request = ChatRequest(
            model: model, messages: [ChatMessage(role: .user, content: "x")], temperature: 0.7, maximumTokens: 256,
            stream: false)
        let body = try Self.body(.openAI, request)
        #expect(body.contains(#""max_tokens":256"#) && body.contains(#""temperature":0.7"#))
        #expect(!body.contains("max_completion_tokens"))
    }

    // MARK: Anthropic

    @Test func anthropicTakesTheSystemPromptApartAndRequiresMaxTokens() throws {
        let request = ChatRequest(model: "claude-sonnet-4-5", messages: Self.conversation, temperature: 1)
        #expect(
            try Self.body(.anthropic, request) == """
                {"max_tokens":4096,"messages":[{"content":"Hi / ciao 👋","role":"user"},{"content":"Hello.","role":"assistant"},\
                {"content":"Say \\"more\\".","role":"user"}],"model":"claude-sonnet-4-5","stream":true,"system":"You are terse.",\
                "temperature":1}
                """)
    }

    @Test func anthropicJoinsSystemMessagesAndOmitsAnAbsentOne() throws {
        let twoSystems = ChatRequest(
            model: "m",
            messages: [
                ChatMessage(role: .system, content: "A"), ChatMessage(role: .user, content: "u"),
                ChatMessage(role: .system, content: "B"),
            ],
            maximumTokens: 10, stream: false
        )
        #expect(
            try Self.body(.anthropic, twoSystems)
                == #"{"max_tokens":10,"messages":[{"content":"u","role":"user"}],"model":"m","stream":false,"system":"A\n\nB"}"#)
        let noSystem = ChatRequest(model: "m", messages: [ChatMessage(role: .user, content: "u")], maximumTokens: 10)
        #expect(try !Self.body(.anthropic, noSystem).contains("system"))
    }

    @Test func anthropicLeavesOutTurnsWithoutTextAndTakesStopSequences() throws {
        let request = ChatRequest(
            model: "m",
            messages: [
                ChatMessage(role: .user, content: "u"), ChatMessage(role: .assistant, content: ""),
                ChatMessage(role: .user, content: " \n"), ChatMessage(role: .user, content: "v"),
            ],
            maximumTokens: 10, stream: false, stopSequences: ["END"])
        #expect(
            try Self.body(.anthropic, request) == """
                {"max_tokens":10,"messages":[{"content":"u","role":"user"},{"content":"v","role":"user"}],"model":"m",\
                "stop_sequences":["END"],"stream":false}
                """)
    }

    @Test func openAISendsStopSequencesOnlyWhenThereAreSome() throws {
        let message = [ChatMessage(role: .user, content: "x")]
        let stopping = ChatRequest(model: "m", messages: message, stream: false, stopSequences: ["\n\n", "END"])
        #expect(
            try Self.body(.openAI, stopping)
                == #"{"messages":[{"content":"x","role":"user"}],"model":"m","stop":["\n\n","END"],"stream":false}"#)
        #expect(try !Self.body(.openAI, ChatRequest(model: "m", messages: message)).contains("stop\""))
    }

    // MARK: Endpoints

    @Test func servicesPathsAndHeaders() {
        #expect(ChatWireProtocol(service: "openai") == .openAI)
        #expect(ChatWireProtocol(service: "anthropic") == .anthropic)
        #expect(ChatWireProtocol(service: "github") == nil)
        #expect(ChatWireProtocol.openAI.chatPath == "/v1/chat/completions")
        #expect(ChatWireProtocol.anthropic.chatPath == "/v1/messages")
        #expect(ChatWireProtocol.anthropic.fixedHeaders.contains { $0.name == "anthropic-version" })
    }
}
