import AgentAPI
import AgentReplies
import AgentStore
import AgentTestSupport
import AsyncHTTPClient
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import PostgresNIO
import ProviderEmulator
import Testing

/// The OpenAI-compatible endpoint in OpenAI's exact wire format, and the official `openai` SDK walking it.
@Suite(.oneDatabase) struct ChatCompletionsTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test func wholeAndStreamedCompletionsInOpenAIsFormat() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], maxTokens: 50)
                let model = "agent:\(chat.agentID)"
                let whole = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: ["model": model, "messages": [["role": "user", "content": "say this back"]], "max_tokens": 20, "n": 1])
                #expect(whole.status == .ok)
                let completion = try whole.decode(Schemas.ChatCompletion.self)
                #expect(completion.object == .chat_completion && completion.model == model)
                let choice = try #require(completion.choices.first)
                #expect(choice.message.content == "say this back")
                #expect(choice.finishReason == "stop")
                #expect(completion.usage.totalTokens > 0)
                // The agent's system prompt went first; the request lowered max_tokens, and could only lower it.
                let received = try #require(await emulator.recordedRequests().last)
                #expect(received.messages.first?.role == "system" && received.maxTokens == 20)

                let streamed = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": model, "messages": [["role": "user", "content": "stream this back"]], "stream": true,
                        "stream_options": ["include_usage": true], "max_tokens": 5000,
                    ])
                #expect(streamed.headers[.contentType] == "text/event-stream")
                let events = StreamedEvent.parse(streamed.text)
                #expect(events.last?.data == "[DONE]")
                let chunks = try streamed.chatCompletionChunks()
                #expect(chunks.allSatisfy { $0.object == .chat_completion_chunk })
                let text = chunks.compactMap { $0.choices.first?.delta.content }.joined()
                #expect(text == "stream this back")
                #expect(chunks.last?.usage?.value1?.completionTokens ?? 0 > 0)
                #expect(await emulator.recordedRequests().last?.maxTokens == 50)

                // Text parts reach the model a line apart, not run together.
                let parted = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": model,
                        "messages": [
                            [
                                "role": "user",
                                "content": [["type": "text", "text": "Question:"], ["type": "text", "text": "two?"]],
                            ]
                        ],
                    ])
                #expect(parted.status == .ok)
                #expect(await emulator.recordedRequests().last?.messages.last?.content == "Question:\ntwo?")
            }
        }
    }

    /// Once the first token is out, a silence mid-answer (a model that thinks again) is bridged with comment
    /// lines each keep-alive interval, as on the native stream: OpenAI's SDKs skip them, a proxy does not
    /// cut the stream, and a client that left is noticed. None came before.
    @Test func aStreamSaysItWaitsWhenTheModelPausesMidAnswer() async throws {
        let api = try await TestAPI.make(replySettings: ReplySettings(keepAliveInterval: .milliseconds(300)))
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                // Two pieces two seconds apart.
                let streamed = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": "agent:\(chat.agentID)", "stream": true,
                        "messages": [["role": "user", "content": "[emulator chunks=2 delay_ms=2000]\nfirst second"]],
                    ])
                let afterFirstText = try #require(streamed.text.components(separatedBy: #""content":"first"#).last)
                #expect(afterFirstText.components(separatedBy: ": waiting").count - 1 >= 2, "\(streamed.text)")
                #expect(StreamedEvent.parse(streamed.text).last?.data == "[DONE]")
                let text = try streamed.chatCompletionChunks().compactMap { $0.choices.first?.delta.content }.joined()
                #expect(text == "first second")
            }
        }
    }

    @Test func errorsAreOpenAIErrorObjects() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=500"])
                let cases: [([String: Any], HTTPResponse.Status, String)] = [
                    (["model": "gpt-4o", "messages": [["role": "user", "content": "x"]]], .notFound, "invalid_request_error"),
                    (["model": "agent:\(chat.agentID)", "messages": []], .badRequest, "invalid_request_error"),
                    (
                        ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "x"]], "max_tokens": 0],
                        .badRequest, "invalid_request_error"
                    ),
                    (
                        ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "x"]]], .badGateway,
                        "api_error"
                    ),
                    (
                        ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "x"]], "stream": true],
                        .badGateway, "api_error"
                    ),
                ]
                for (body, status, type) in cases {
                    let response = try await client.send(.post, "/v1/chat/completions", as: owner, json: body)
                    #expect(response.status == status, "\(body)")
                    #expect(try response.decode(Schemas.OpenAIError.self).error._type == type)
                    #expect(response.headers[.init("x-should-retry")!] == nil)
                }
                // A call the provider refused fails the same way again: OpenAI's SDKs are told not to retry it.
                let refusing = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                let refused = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: ["model": "agent:\(refusing.agentID)", "messages": [["role": "user", "content": "x"]]])
                #expect(refused.status == .badGateway && refused.headers[.init("x-should-retry")!] == "false")
                #expect(try refused.decode(Schemas.OpenAIError.self).error.code == "provider-rejected")
                // A provider's rate limit, longer than the platform waits out itself: its wait is passed on.
                let limited = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=429,retry_after=30"])
                let later = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: ["model": "agent:\(limited.agentID)", "messages": [["role": "user", "content": "x"]]])
                #expect(later.status == .tooManyRequests && later.headers[.retryAfter] == "30")
                #expect(try later.decode(Schemas.OpenAIError.self).error.code == "provider-rate-limited")
                #expect(try later.decode(Schemas.OpenAIError.self).error.message.hasSuffix("try again in 30 s."))
            }
        }
    }

    /// A conversation past the model's window is OpenAI's own error, which clients act on (by dropping old
    /// messages, say): 400, `context_length_exceeded`, naming `messages`, streamed or not.
    @Test(arguments: ["openai", "anthropic"])
    func aConversationPastTheModelsWindowIsOpenAIsContextError(_ service: String) async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/context=20"], service: service)
                let long = [["role": "user", "content": String(repeating: "word ", count: 30)]]
                for stream in [false, true] {
                    let refused = try await client.send(
                        .post, "/v1/chat/completions", as: owner,
                        json: ["model": "agent:\(chat.agentID)", "messages": long, "stream": stream])
                    #expect(refused.status == .badRequest, "\(refused.text)")
                    let error = try refused.decode(Schemas.OpenAIError.self).error
                    #expect(error._type == "invalid_request_error" && error.code == "context_length_exceeded")
                    #expect(error.param == "messages")
                }
            }
        }
    }

    /// What an agent does not do is refused with the member named, rather than ignored; an agent that is
    /// not the tenant's is a model that does not exist; and the platform's own checks answer in OpenAI's
    /// shape on these routes too.
    /// The body is read leniently, but not its shape: a member named twice (a proxy that checked one copy
    /// and the platform could read the other) or nesting past the limit is an OpenAI error naming it.
    @Test func aBodyOfBadShapeIsRefused() async throws {
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let agentID = try await client.createAgent(as: owner)
            let twice = #"{"model": "agent:\#(agentID)", "model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"#
            let deep =
                #"{"model": "agent:\#(agentID)", "messages": [], "metadata": "#
                + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
            for (body, param) in [(twice, "model"), (deep, "body")] {
                let response = try await client.sendRaw(.post, "/v1/chat/completions", as: owner, bytes: Array(body.utf8))
                let error = try response.decode(Schemas.OpenAIError.self).error
                #expect(response.status == .badRequest && error.param == param && error._type == "invalid_request_error")
            }
        }
    }

    @Test func refusalsNameTheMemberInOpenAIsShape() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let theirs = try await client.createAgent(as: other)
                let hi = [["role": "user", "content": "hi"]]
                let model = "agent:\(chat.agentID)"
                let refused: [(String, [String: Any])] = [
                    ("n", ["model": model, "messages": hi, "n": 2]),
                    ("logprobs", ["model": model, "messages": hi, "logprobs": true]),
                    ("response_format", ["model": model, "messages": hi, "response_format": ["type": "json_object"]]),
                    ("tool_choice", ["model": model, "messages": hi, "tool_choice": "required"]),
                    (
                        "tool_choice",
                        ["model": model, "messages": hi, "tool_choice": ["type": "function", "function": ["name": "f"]]]
                    ),
                    ("stop", ["model": model, "messages": hi, "stop": ["a", "b", "c", "d", "e"]]),
                    ("stop", ["model": model, "messages": hi, "stop": ""]),
                    ("messages[1].role", ["model": model, "messages": hi + [["role": "robot", "content": "beep"]]]),
                    ("messages[0].content", ["model": model, "messages": [["role": "user"]]]),
                    ("messages[0].content", ["model": model, "messages": [["role": "user", "content": [Any]()]]]),
                    ("messages[1].content", ["model": model, "messages": hi + [["role": "system", "content": NSNull()]]]),
                    ("metadata.conversation_id", ["model": model, "messages": hi, "metadata": ["conversation_id": ".."]]),
                    (
                        "messages[0].content",
                        [
                            "model": model,
                            "messages": [
                                [
                                    "role": "user",
                                    "content": [
                                        ["type": "text", "text": "what is this?"],
                                        ["type": "image_url", "image_url": ["url": "https://example.com/a.png"]],
                                    ],
                                ]
                            ],
                        ]
                    ),
                ]
                for (param, body) in refused {
                    let response = try await client.send(.post, "/v1/chat/completions", as: owner, json: body)
                    let error = try response.decode(Schemas.OpenAIError.self).error
                    #expect(response.status == .badRequest && error.param == param, "\(body)")
                }
                // Offering tools, or asking for text, still answers; so does a max_tokens past any integer's
                // range (which lowers nothing).
                let offered = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": model, "messages": hi, "n": 1, "tool_choice": "auto", "response_format": ["type": "text"],
                        "max_tokens": 1e23,
                        "tools": [["type": "function", "function": ["name": "f", "parameters": ["type": "object"]]]],
                    ])
                #expect(offered.status == .ok)
                for missing in ["agent:\(theirs)", "agent:no-such-agent"] {
                    let response = try await client.send(
                        .post, "/v1/chat/completions", as: owner, json: ["model": missing, "messages": hi])
                    let error = try response.decode(Schemas.OpenAIError.self).error
                    #expect(response.status == .notFound && error.code == "model_not_found", "\(missing)")
                }
                // The router skips empty segments: so does the choice of shape.
                for (method, path) in [
                    (HTTPRequest.Method.post, "/v1/chat/completions"), (.get, "/v1/models"), (.post, "/v1/chat/completions/"),
                    (.get, "/v1//models"),
                ] {
                    let response = try await client.send(method, path, as: nil, json: method == .post ? ["model": model] : nil)
                    let error = try response.decode(Schemas.OpenAIError.self).error
                    #expect(response.status == .unauthorized && error._type == "authentication_error", "\(path)")
                    #expect(
                        response.headers[.wwwAuthenticate] == "Bearer"
                            && response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
            }
        }
    }

    /// The request's stop sequences reach the provider, in each protocol's member, and end the answer there.
    @Test(arguments: ["openai", "anthropic"])
    func stopSequencesEndTheAnswer(service: String) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: service)
                for stream in [false, true] {
                    let response = try await client.send(
                        .post, "/v1/chat/completions", as: owner,
                        json: [
                            "model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "one two three four"]],
                            "stop": ["four", "three"], "stream": stream,
                        ])
                    #expect(response.status == .ok)
                    #expect(await emulator.recordedRequests().last?.stop == ["four", "three"])
                    let (text, finish) = try Self.answer(response, streamed: stream)
                    #expect(text == "one two " && finish == "stop", "stream \(stream)")
                }
            }
        }
    }

    /// A completion's text and finish reason, streamed (from its chunks) or not.
    static func answer(_ response: TestResponse, streamed: Bool) throws -> (text: String, finish: String?) {
        if streamed {
            let choices = try response.chatCompletionChunks().compactMap { $0.choices.first }
            return (choices.compactMap { $0.delta.content }.joined(), choices.last?.finishReason)
        }
        let choice = try #require(try response.decode(Schemas.ChatCompletion.self).choices.first)
        return (choice.message.content, choice.finishReason)
    }

    /// Stop sequences a provider refuses for the agent's model (OpenAI's reasoning models take no `stop`,
    /// Anthropic no sequence of whitespace alone) are not sent, which would fail the call, but applied by
    /// the platform: the answer ends there all the same, streamed or not.
    @Test(arguments: [
        ("openai", "o3-mini", ["four", "three"], [String]()), ("anthropic", "claude-test", ["\n", "four"], ["four"]),
    ])
    func stopSequencesAProviderRefusesAreAppliedByThePlatform(
        service: String, model: String, stop: [String], sent: [String]
    ) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: service)
                let patched = try await client.send(.patch, "/v1/agents/\(chat.agentID)", as: owner, json: ["model": model])
                #expect(patched.status == .ok)
                for stream in [false, true] {
                    let response = try await client.send(
                        .post, "/v1/chat/completions", as: owner,
                        json: [
                            "model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "one two\nthree four"]],
                            "stop": stop, "stream": stream,
                        ])
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(await emulator.recordedRequests().last?.stop == sent)
                    let (text, finish) = try Self.answer(response, streamed: stream)
                    let expected = service == "openai" ? "one two\n" : "one two"
                    #expect(text == expected && finish == "stop", "stream \(stream): \(text)")
                }
            }
        }
    }

    /// A message's `name` reaches a provider whose protocol has one (OpenAI's) and is left out where it has
    /// none (Anthropic's, which refuses it, as the emulator does); a name OpenAI would refuse is a 400
    /// naming the message, before any call.
    @Test(arguments: [("openai", ["ada_1", "helper-bot", nil]), ("anthropic", [nil, nil, nil])])
    func aMessagesNameGoesWhereTheProtocolHasOne(service: String, sent: [String?]) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: service)
                let named: [[String: Any]] = [
                    ["role": "user", "content": "hello", "name": "ada_1"],
                    ["role": "assistant", "content": "hi", "name": "helper-bot"], ["role": "user", "content": "again"],
                ]
                let response = try await client.send(
                    .post, "/v1/chat/completions", as: owner, json: ["model": "agent:\(chat.agentID)", "messages": named])
                #expect(response.status == .ok, "\(response.text)")
                let received = try #require(await emulator.recordedRequests().last).messages.filter { $0.role != "system" }
                #expect(received.map(\.name) == sent)
                for name in ["Ada Lovelace", "", String(repeating: "a", count: 65), "é"] {
                    let refused = try await client.send(
                        .post, "/v1/chat/completions", as: owner,
                        json: [
                            "model": "agent:\(chat.agentID)",
                            "messages": [["role": "user", "content": "hello"], ["role": "user", "content": "x", "name": name]],
                        ])
                    let error = try refused.decode(Schemas.OpenAIError.self).error
                    #expect(refused.status == .badRequest && error.param == "messages[1].name" && error.code == "invalid_value")
                }
                #expect(await emulator.recordedRequests().count == 1)
            }
        }
    }

    /// A completion that stores nothing stops its provider call when its client hangs up before anything
    /// was written to it (before the first token, or, not streamed, before the answer), as it does when
    /// a write fails later: no one could read the rest, and the provider would bill all of it.
    @Test(arguments: [true, false])
    func aClientThatHangsUpBeforeAnythingIsWrittenStopsTheCall(stream: Bool) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                // Thirty seconds of thought before the first of four pieces (the emulator's stop ends them).
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/think_ms=30000"])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let request = try live.request(
                    .POST, "/v1/chat/completions",
                    json: [
                        "model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "a long answer"]],
                        "stream": stream,
                    ])
                // Cancelling the request closes its connection, as a client that gives up does.
                let hangingUp = Task { try await TestReplies.httpClient.execute(request, timeout: .seconds(30)) }
                // It hangs up once the call is under way (a fixed pause was too short on a loaded machine: the
                // request had not arrived, so no call was made and none was cancelled).
                for _ in 0..<1250 where await emulator.recordedRequests().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                try #require(await emulator.recordedRequests().count == 1)
                hangingUp.cancel()
                _ = try? await hangingUp.value
                // The call is settled as cancelled while the provider still thinks, not when its answer comes.
                var status = "running"
                for _ in 0..<1250 where status == "running" {
                    try await Task.sleep(for: .milliseconds(20))
                    status =
                        try await api.db.admin.query(
                            "SELECT status FROM provider_calls WHERE user_id = \(owner.id.rawValue)", logger: api.db.logger
                        ).collect().first?.decode(String.self) ?? "running"
                }
                #expect(status == "cancelled")
                #expect(try await client.send(.get, "/v1/me", as: owner).status == .ok)
            }
        }
    }

    /// The agent's system prompt goes first in every call and is counted when the call settles: the budget
    /// reserves it too, or parallel requests would each get past it by the prompt's tokens.
    @Test func theBudgetReservesTheAgentsSystemPrompt() async throws {
        let limited = try await TestAPI.make(replySettings: ReplySettings(defaultLimits: ChatLimits(monthlyTokenBudget: 1_000)))
        let owner = try await limited.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await limited.test(.live) { client in
                // About 2,000 tokens of system prompt, against a budget of 1,000; the messages are a few.
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: [baseURL], maxTokens: 5, systemPrompt: String(repeating: "rule ", count: 1_600))
                let refused = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: ["model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "hi"]]])
                #expect(refused.status == .tooManyRequests)
                #expect(await emulator.recordedRequests().isEmpty)
                // No month has room for it: nothing says to wait, and the SDKs are told not to retry.
                // OpenAI's words for a spent quota, which its SDKs and gateways act on.
                #expect(try refused.decode(Schemas.OpenAIError.self).error.code == "insufficient_quota")
                #expect(refused.headers[.retryAfter] == nil)
                #expect(refused.headers[.init("x-should-retry")!] == "false")
            }
        }
    }

    /// Storing the exchange changes nothing of the call: the request's `max_tokens` still lowers the
    /// agent's, and the budget reserves the conversation the client sends (once, only the stored one was
    /// reserved, so a long conversation sent with a new `conversation_id` got past a small budget).
    @Test func aStoredExchangeHonoursMaxTokensAndReservesWhatIsSent() async throws {
        let limited = try await TestAPI.make(replySettings: ReplySettings(defaultLimits: ChatLimits(monthlyTokenBudget: 1_000)))
        let owner = try await limited.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await limited.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], maxTokens: 50, systemPrompt: "")
                let model = "agent:\(chat.agentID)"
                let lowered = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": model, "max_tokens": 5, "metadata": ["conversation_id": "c1"],
                        "messages": [["role": "user", "content": "hi"]],
                    ])
                #expect(lowered.status == .ok)
                #expect(await emulator.recordedRequests().last?.maxTokens == 5)
                // About 5,000 tokens sent, against a budget of 1,000.
                let long = try await client.send(
                    .post, "/v1/chat/completions", as: owner,
                    json: [
                        "model": model, "metadata": ["conversation_id": "c2"],
                        "messages": [
                            ["role": "user", "content": String(repeating: "long ", count: 4_000)],
                            ["role": "assistant", "content": "ok"], ["role": "user", "content": "short"],
                        ],
                    ])
                #expect(long.status == .tooManyRequests)
                #expect(await emulator.recordedRequests().count == 1)
            }
        }
    }

    /// The official `openai` Python SDK against the platform: models, whole and streamed completions,
    /// a conversation stored, errors. Skipped where the SDK is not installed, unless `REQUIRE_OPENAI_SDK=1`
    /// (CI installs it and sets that).
    @Test func theOpenAIPythonSDKWalks() async throws {
        let required = ProcessInfo.processInfo.environment["REQUIRE_OPENAI_SDK"] == "1"
        guard try await PythonScript.canImport("openai") else {
            #expect(!required, "REQUIRE_OPENAI_SDK=1 but python3 cannot import openai")
            return
        }
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let port = try #require(client.port)
                let result = try await PythonScript.run(
                    "Tests/Python/openai_sdk_walk.py",
                    environment: [
                        "PLATFORM_BASE_URL": "http://127.0.0.1:\(port)/v1", "AGENT_MODEL": "agent:\(chat.agentID)",
                        "CONVERSATION_ID": "sdk-walk",
                    ],
                    input: owner.token)
                #expect(result.status == 0, "\(SecretCheck.masking(result.output, owner.token))")
                #expect(result.output.contains("retrieve a model"), "the walk retrieves a model")
                SecretCheck.expectAbsent(owner.token, in: result.output)
                let stored = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/sdk-walk/messages", as: owner)
                // Two exchanges: the stored one, and the keyed one retried (stored once).
                #expect(try stored.ids(Schemas.MessagePage.self).count == 4)
            }
        }
    }
}
