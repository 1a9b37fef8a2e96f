import AgentAPI
import AgentProviders
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProviderEmulator
import Testing

/// Agents that answer, over real HTTP against real PostgreSQL and the provider emulator: both wire
/// protocols streamed and whole, usage, errors in the middle of a stream, fallback between keys, and
/// what reaches the provider.
@Suite(.oneDatabase) struct ReplyRoutesTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    @Test(arguments: ["openai", "anthropic"])
    func streamedReplyIsStoredWithUsage(service: String) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                // Pieces 20 ms apart. Pieces that come together are read as one delta, and a loaded machine
                // brings them together: the deltas hold the text, in how many pieces depends on the machine.
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/delay_ms=20"], service: service)
                let response = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: ["content": "Hello there, how are you today?"])
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let stream = StreamedReply(response)
                #expect(stream.names.first == "message")
                #expect(stream.names.dropFirst().first == "reply.started")
                #expect(stream.names.last == "reply.completed")
                #expect(stream.names.filter { $0 == "reply.delta" }.count >= 1)
                let prompt = try stream.message("message")
                let started = try stream.message("reply.started")
                #expect(started.status == "streaming" && started.parentId == prompt.id)
                let reply = try stream.ended()
                #expect(reply.status == "complete")
                #expect(reply.content == "Hello there, how are you today?")
                #expect(reply.content == stream.text)
                #expect(reply.usage.map { $0.promptTokens > 0 && $0.completionTokens > 0 && !$0.estimated } == true)
                #expect(reply.connectionId == chat.connectionIDs.first && reply.model == "emulated-model")
                #expect(reply.finishReason == "stop" && reply.latencyMs != nil && reply.timeToFirstTokenMs != nil)

                // Stored: the conversation holds both, the reply following the message.
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                let ids = try page.ids(Schemas.MessagePage.self)
                #expect(ids == [prompt.id, reply.id])
            }
            // What the provider received: the system prompt first, the agent's model, a bound on tokens, the
            // connection's key and no other credential (the platform's bearer token stays home).
            let received = try #require(await emulator.recordedRequests().last)
            #expect(received.model == "emulated-model")
            #expect(received.messages.first?.content == "You are a test agent." || received.wireProtocol == "anthropic")
            #expect(received.messages.last?.content == "Hello there, how are you today?")
            #expect(received.maxTokens == 4096)
            #expect(received.keySHA256 == ChatFixture.apiKeySHA256)
            #expect(received.otherCredentialHeaders.isEmpty)
        }
    }

    /// An agent without a chat connection cannot answer: a 422 naming agent_id for code, and a detail a
    /// person can act on (the console shows it as is), before anything is stored.
    @Test func anAgentWithoutAChatConnectionSaysWhatToDo() async throws {
        let owner = try await api.makeUser()
        try await api.test { client in
            let agentID = try await client.createAgent(as: owner)
            let refused = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c/replies", as: owner, json: ["content": "Hello?"])
            #expect(refused.isProblem(.unprocessableContent))
            #expect(try refused.problemField() == "agent_id")
            #expect(
                try refused.problem().detail
                    == "This agent cannot answer yet: link a connection whose service is anthropic or openai to it first.")
            #expect(try await client.send(.get, "/v1/agents/\(agentID)/conversations/c", as: owner).isProblem(.notFound))
            // White space alone asks nothing: refused before anything else.
            let blank = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c/replies", as: owner, json: ["content": "  \n\t "])
            #expect(blank.isProblem(.unprocessableContent))
            #expect(try blank.problemField() == "content")
        }
    }

    @Test func wholeReplyAnswers201WithMessageAndReply() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: "anthropic")
                let response = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: ["content": "one two three", "stream": false])
                #expect(response.status == .created)
                let exchange = try Exchange.decode(response.text)
                #expect(exchange.message?.content == "one two three" && exchange.reply.content == "one two three")
                #expect(exchange.reply.parentId == exchange.message?.id && exchange.reply.status == "complete")
                #expect(exchange.reply.error == nil && exchange.reply.errorDetail == nil)
                #expect(response.headers[.location] == "/v1/messages/\(exchange.reply.id)")

                // The next message follows the reply, and the provider gets the whole conversation.
                let second = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "four", "stream": false]).text)
                #expect(second.message?.parentId == exchange.reply.id)
            }
        }
    }

    /// An agent may ask for as many tokens as the document allows (2147483647): the reservation in the
    /// ledger, that many plus the prompt's, no longer overflows its column and refuses the reply with a 422
    /// naming no field (found by the contract fuzzer).
    @Test func theLargestMaxTokensStillAnswers() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], maxTokens: Int(Int32.max))
                let response = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: ["content": "big", "stream": false])
                #expect(response.status == .created, "\(response.text)")
                #expect(try Exchange.decode(response.text).reply.status == "complete")
            }
        }
    }

    @Test func missingUsageIsEstimatedAndMarked() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let reply = try await chat.reply(client, as: owner, to: "[emulator usage=off]\ncount me")
                #expect(reply.status == "complete")
                let usage = try #require(reply.usage)
                #expect(usage.estimated && usage.promptTokens > 0 && usage.completionTokens > 0)
                let report = try await client.send(.get, "/v1/usage?group_by=agent", as: owner).decode(Schemas.UsageReport.self)
                let row = try #require(report.data.first)
                #expect(row.key == chat.agentID)
                #expect(row.estimatedRequests == 1)
            }
        }
    }

    /// Usage totalled by day, in ascending order of the day, over calls started in [from, to).
    @Test func usageByDayHoldsTheCallsStartedInItsWindow() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                for content in ["today", "earlier"] {
                    let sent = try await client.send(
                        .post, chat.replies(content), as: owner, json: ["content": content, "stream": false])
                    #expect(sent.status == .created)
                }
                // The second call started three days ago, as far as the ledger knows.
                try await api.db.admin.query(
                    """
                    UPDATE provider_calls SET started_at = started_at - interval '3 days'
                     WHERE user_id = \(owner.id.rawValue)
                       AND message_id IN (SELECT id FROM agent_messages WHERE conversation_id = 'earlier')
                    """, logger: api.db.logger)
                // The days as the ledger has them (UTC), so that a run across midnight reads the same days.
                let days = try await api.db.admin.query(
                    """
                    SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM provider_calls
                     WHERE user_id = \(owner.id.rawValue) ORDER BY started_at
                    """, logger: api.db.logger
                ).collect().map { try $0.decode(String.self) }
                try #require(days.count == 2 && days[0] < days[1])
                func keys(_ query: String) async throws -> [String] {
                    let report = try await client.send(.get, "/v1/usage\(query)", as: owner).decode(Schemas.UsageReport.self)
                    return report.data.map(\.key)
                }
                #expect(try await keys("") == days)
                #expect(try await keys("?from=\(days[1])") == [days[1]])
                #expect(try await keys("?to=\(days[1])") == [days[0]])
            }
        }
    }

    /// getMessage shows a running reply's text so far, which the database gets only at its end; a reply stored
    /// `streaming` that no generation here runs shows what is stored.
    @Test func aRunningReplyShowsItsTextSoFar() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let words = String(repeating: "word ", count: 40)
                let (replyID, streaming) = try await chat.slowReply(client, owner, text: words)
                var shown = try ReplyMessage.decode(try await client.send(.get, "/v1/messages/\(replyID)", as: owner).text)
                for _ in 0..<400 where shown.content.isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                    shown = try ReplyMessage.decode(try await client.send(.get, "/v1/messages/\(replyID)", as: owner).text)
                }
                #expect(shown.status == "streaming" && !shown.content.isEmpty && shown.content.count < words.count)
                #expect(words.hasPrefix(shown.content))
                _ = try await streaming.value
                let ended = try ReplyMessage.decode(try await client.send(.get, "/v1/messages/\(replyID)", as: owner).text)
                #expect(ended.status == "complete" && ended.content == words)

                let elsewhere = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
                let stored = try ReplyMessage.decode(
                    try await client.send(.get, "/v1/messages/\(elsewhere.reply.id.rawValue)", as: owner).text)
                #expect(stored.status == "streaming" && stored.content.isEmpty)
            }
        }
    }

    @Test(arguments: ["openai", "anthropic"])
    func errorMidStreamFailsAndKeepsTheText(service: String) async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], service: service)
                let stream = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner,
                        json: ["content": "[emulator chunks=4 error_after=2]\nalpha beta gamma delta"]))
                #expect(stream.names.last == "reply.failed")
                #expect(stream.failureType?.hasSuffix("/provider-error") == true)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && !reply.content.isEmpty && reply.content == stream.text)
                #expect(reply.error?.hasSuffix("/provider-error") == true)
                // Cut before its final count, the completion is estimated from the text kept, and said to be:
                // never the one token Anthropic's `message_start` reports before any text.
                let usage = try #require(reply.usage)
                #expect(usage.estimated && usage.completionTokens == (reply.content.utf8.count + 3) / 4)
                // The stream's reply says why in the problem's words, the provider's error kind included.
                #expect(reply.errorDetail != nil && reply.errorDetail == stream.failure?.detail)
                // Never an empty "complete": what is stored says failed (in the words of its stored type alone).
                let stored = try ReplyMessage.decode(try await client.send(.get, "/v1/messages/\(reply.id)", as: owner).text)
                #expect(stored.status == "failed" && stored.content == reply.content && stored.usage == reply.usage)
                #expect(stored.errorDetail == "The model provider stopped the reply with an error.")
            }
        }
    }

    @Test func aRateLimitedOrFailingKeyFallsBackToTheNext() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(
                    client, owner,
                    baseURLs: ["\(baseURL)/script/status=429,retry_after=30", "\(baseURL)/script/status=500", baseURL])
                let reply = try await chat.reply(client, as: owner, to: "hi")
                #expect(reply.status == "complete" && reply.connectionId == chat.connectionIDs[2])
                let row = try await ChatFixture.usageOfTheModel(client, as: owner)
                #expect(row.requests == 3 && row.failedRequests == 2)
            }
        }
    }

    /// A key whose provider may have read the prompt (its head timed out after the request went) is
    /// charged the prompt's estimate before the next key is tried, as the last key would be: it was charged
    /// nothing when another key followed.
    @Test func anAttemptTheProviderMayHaveReadIsChargedBeforeTheNextKey() async throws {
        // Six seconds: the emulator, which answers the next attempt under the same bound, may take more than
        // two on a loaded machine.
        let api = try await TestAPI.make(providerTimeouts: ProviderTimeouts(responseHead: .seconds(6)))
        let owner = try await api.makeUser()
        try await SilentProvider.withRunning { silent in
            try await ProviderEmulator().withRunning { baseURL in
                try await api.test(.live) { client in
                    let chat = try await ChatFixture.make(client, owner, baseURLs: [silent, baseURL])
                    let reply = try await chat.reply(client, as: owner, to: String(repeating: "word ", count: 40))
                    #expect(reply.status == "complete" && reply.connectionId == chat.connectionIDs[1])
                }
            }
        }
        let calls = try await api.db.admin.query(
            """
            SELECT status, error, prompt_tokens, usage_estimated FROM provider_calls
             WHERE user_id = \(owner.id.rawValue) ORDER BY attempt
            """, logger: api.db.logger
        ).collect().map { try $0.decode((String, String?, Int, Bool).self) }
        #expect(calls.count == 2)
        let timedOut = try #require(calls.first)
        #expect(timedOut.0 == "failed" && timedOut.1 == "provider-unreachable")
        // The system prompt and the 200 bytes sent, a token per 4 bytes: more than 50.
        #expect(timedOut.2 > 50 && timedOut.3, "\(calls)")
    }

    /// After the first token there is no other key: a provider error mid-stream fails the reply, and the
    /// next linked key is never called.
    /// A provider that took the call and then reported an overload before any text (Anthropic's in-stream
    /// `overloaded_error`, OpenAI's `server_error`) did not answer, as a 5xx says: the next key does, and
    /// the failed attempt is in the ledger, charged the prompt it may have read.
    @Test(arguments: ["openai", "anthropic"])
    func anErrorInTheStreamBeforeAnyTextTriesTheNextKey(service: String) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/error_after=0", baseURL], service: service)
                let reply = try await chat.reply(client, as: owner, to: "hi there")
                #expect(reply.status == "complete" && reply.connectionId == chat.connectionIDs[1] && reply.content == "hi there")
                #expect(await emulator.recordedRequests().count == 2)
                let row = try await ChatFixture.usageOfTheModel(client, as: owner)
                #expect(row.requests == 2 && row.failedRequests == 1)
            }
        }
    }

    @Test func noOtherKeyIsTriedAfterTheFirstToken() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/chunks=5,error_after=2", baseURL])
                let reply = try await chat.reply(client, as: owner, to: "hi there")
                #expect(reply.status == "failed" && reply.connectionId == chat.connectionIDs[0] && !reply.content.isEmpty)
                #expect(await emulator.recordedRequests().count == 1)
            }
        }
    }

    /// With no other key left, a 429 whose `Retry-After` is short is waited out once, and the same key is
    /// called again.
    @Test func aShortRetryAfterIsWaitedOutWhenNoOtherKeyIsLeft() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/status=429,retry_after=1,status_times=1"])
                let clock = ContinuousClock()
                let started = clock.now
                let reply = try await chat.reply(client, as: owner, to: "hi")
                #expect(reply.status == "complete" && reply.connectionId == chat.connectionIDs[0])
                #expect(clock.now - started >= .seconds(1))
                #expect(await emulator.recordedRequests().count == 2)
                let row = try await ChatFixture.usageOfTheModel(client, as: owner)
                #expect(row.requests == 2 && row.failedRequests == 1)
            }
        }
    }

    /// Anthropic words a prompt past the model's window and names no code: the reply fails as a request
    /// error that says what to change, not as a provider's refusal of the key or model.
    @Test func aConversationPastTheModelsWindowFailsAsSuch() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/context=20"], service: "anthropic")
                let long = String(repeating: "word ", count: 30)
                let stream = StreamedReply(try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": long]))
                #expect(stream.failureType?.hasSuffix("/context-length-exceeded") == true)
                #expect(stream.failure?.status == 400)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.error?.hasSuffix("/context-length-exceeded") == true)
                let fits = try await chat.reply(client, as: owner, in: "c2", to: "short")
                #expect(fits.status == "complete")
            }
        }
    }

    /// A client that did not stream reads why its reply failed in the reply itself, in the words the stream's
    /// `reply.failed` has; a later read of the stored reply says what its stored type says.
    @Test func aFailedReplyNotStreamedSaysWhyInAWholeSentence() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                let reply = try await chat.reply(client, as: owner, in: "c1", to: "hi")
                #expect(reply.status == "failed" && reply.error?.hasSuffix("/provider-rejected") == true)
                let detail = try #require(reply.errorDetail)
                #expect(
                    detail.contains("(HTTP 401, invalid_request_error)") && detail.hasSuffix("check the connection's API key."))
                #expect(!detail.contains("emulated status"))
                let stored = try ReplyMessage.decode(try await client.send(.get, "/v1/messages/\(reply.id)", as: owner).text)
                #expect(
                    stored.errorDetail == "The model provider refused the call; check the connection's key and the model's name.")
            }
        }
    }

    @Test func aProviderErrorBeforeTheFirstTokenWithNoOtherKeyFails() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=401"])
                let stream = StreamedReply(try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "hi"]))
                #expect(stream.failureType?.hasSuffix("/provider-rejected") == true)
                // The provider's error kind says why; its message (which could echo anything) does not appear.
                #expect(stream.failure?.detail?.contains("(HTTP 401, invalid_request_error)") == true)
                #expect(stream.failure?.detail?.hasSuffix("check the connection's API key.") == true)
                #expect(stream.failure?.detail?.contains("emulated status") == false)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.content.isEmpty)
                // A provider that refused the call billed nothing: no estimate is charged to the budget.
                #expect(reply.usage.map { $0.promptTokens == 0 && $0.completionTokens == 0 && !$0.estimated } == true)
                let row = try await ChatFixture.usageOfTheModel(client, as: owner)
                #expect(row.totalTokens == 0)
                for event in stream.events { SecretCheck.expectAbsent(ChatFixture.apiKey, in: event.data) }
            }
        }
    }

    /// A key its provider refuses (revoked, out of credit) or a base URL refused at call time says nothing of
    /// the agent's other connections: the next is tried, and answers. Each attempt is in the ledger.
    @Test(arguments: ["status=401", "status=402", "status=403"])
    func aRefusedKeyGivesWayToTheNextConnection(script: String) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/\(script)", baseURL])
                let reply = try StreamedReply(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "hi"])
                ).ended()
                #expect(reply.status == "complete" && reply.content == "hi")
                #expect(await emulator.recordedRequests().count == 2)
            }
        }
        let ledger = try await api.db.admin.query(
            "SELECT attempt, status, error FROM provider_calls WHERE user_id = \(owner.id.rawValue) ORDER BY attempt",
            logger: api.db.logger
        ).collect().map { try $0.decode((Int, String, String?).self) }
        #expect(ledger.map(\.0) == [1, 2] && ledger.map(\.1) == ["failed", "complete"])
        #expect(ledger.first?.2 == "provider-rejected")
    }

    @Test func regenerateMakesASiblingAndKeepsTheFirst() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let first = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "again", "stream": false]).text)
                let regenerated = try await client.send(
                    .post, "/v1/messages/\(first.reply.id)/regenerate?stream=false", as: owner)
                #expect(regenerated.status == .created)
                let second = try Exchange.decode(regenerated.text).reply
                #expect(second.id != first.reply.id && second.parentId == first.message?.id && second.status == "complete")
                #expect(try await client.send(.get, "/v1/messages/\(first.reply.id)", as: owner).status == .ok)
                // A user's message is no reply to regenerate.
                let message = try #require(first.message)
                #expect(
                    try await client.send(.post, "/v1/messages/\(message.id)/regenerate", as: owner).isProblem(
                        .unprocessableContent))
            }
        }
    }

    /// A reply to an earlier message branches the conversation there: the message's parent is the one
    /// named, and the provider is sent that branch alone, not what followed it.
    @Test func aReplyToAnEarlierMessageBranchesTheConversation() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], systemPrompt: "")
                func exchange(_ content: String, after parent: String? = nil) async throws -> Exchange {
                    var body: [String: Any] = ["content": content, "stream": false]
                    if let parent { body["parent_id"] = parent }
                    return try Exchange.decode(try await client.send(.post, chat.replies("c1"), as: owner, json: body).text)
                }
                let first = try await exchange("one")
                _ = try await exchange("two")
                // The agent's settings as they are when the reply starts go with it.
                let changed = try await client.send(.patch, "/v1/agents/\(chat.agentID)", as: owner, json: ["temperature": 0.25])
                #expect(changed.status == .ok)
                let branch = try await exchange("branch", after: first.reply.id)
                #expect(branch.message?.parentId == first.reply.id && branch.reply.parentId == branch.message?.id)
                let sent = try #require(await emulator.recordedRequests().last)
                #expect(sent.messages.map(\.content) == ["one", first.reply.content, "branch"])
                #expect(sent.temperature == 0.25 && sent.model == "emulated-model")
            }
        }
    }

    /// With `if_last`, a message after a message that another has followed since (another tab sent one) is a
    /// 409 naming `parent_id`, storing nothing and calling no provider, where it would have become a new
    /// version beside that one; a retry of the request that followed it, with its key, is answered as before.
    @Test func aMessageAfterOneFollowedSinceIsAConflictWithIfLast() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], systemPrompt: "")
                let first = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "one", "stream": false]).text)
                func after(_ parent: String, _ content: String) -> [String: Any] {
                    ["content": content, "stream": false, "parent_id": parent, "if_last": true]
                }
                let second = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: after(first.reply.id, "two")).text)
                let calls = await emulator.recordedRequests().count

                let stale = try await client.send(.post, chat.replies("c1"), as: owner, json: after(first.reply.id, "stale"))
                #expect(stale.isProblem(.conflict), "\(stale.text)")
                #expect(try stale.problemField() == "parent_id")
                #expect(await emulator.recordedRequests().count == calls)
                let messages = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(try messages.ids(Schemas.MessagePage.self).count == 4)

                // A retry finds what its first attempt stored: its own message is no other tab's.
                let key = RetriedRequestTests.key("k-three")
                let third = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: after(second.reply.id, "three"), headers: key)
                #expect(third.status == .created)
                let retried = try await client.send(
                    .post, chat.replies("c1"), as: owner, json: after(second.reply.id, "three"), headers: key)
                #expect(retried.status == .created && retried.headers[RetriedRequestTests.replayed] == "true")
                #expect(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "x", "if_last": true])
                        .isProblem(.unprocessableContent))
            }
        }
    }

    /// A first message sent anew (`starts_anew`) and a regenerated reply are versions; `getThread` reads one
    /// thread at a time with each message's versions, and the provider is given the new first message alone.
    @Test func aThreadIsReadWithItsVersions() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], systemPrompt: "")
                let thread = "/v1/agents/\(chat.agentID)/conversations/c1/thread"
                func exchange(_ body: [String: Any]) async throws -> Exchange {
                    let body = body.merging(["stream": false]) { a, _ in a }
                    return try Exchange.decode(try await client.send(.post, chat.replies("c1"), as: owner, json: body).text)
                }
                let first = try await exchange(["content": "one"])
                _ = try await exchange(["content": "two"])
                let anew = try await exchange(["content": "one, again", "starts_anew": true])
                #expect(anew.message?.parentId == nil)
                #expect(try #require(await emulator.recordedRequests().last).messages.map(\.content) == ["one, again"])

                let newest = try await client.send(.get, thread, as: owner).decode(Schemas.Thread.self)
                #expect(newest.data.map(\.message.id) == [anew.message?.id, anew.reply.id].compactMap { $0 })
                #expect(newest.data.map(\.message.startsAnew) == [true, nil])
                #expect(!newest.hasEarlier)
                let versions = try #require(newest.data.first?.versions)
                #expect(versions.count == 2 && versions.position == 2 && versions.previous == first.message?.id)
                #expect(newest.data.first?.follows == nil && newest.data.last?.follows == anew.message?.id)

                let firstID = try #require(first.message?.id)
                let throughFirst = try await client.send(.get, "\(thread)?through=\(firstID)&limit=3", as: owner)
                    .decode(Schemas.Thread.self)
                #expect(throughFirst.data.map(\.message.content).last == "two" && throughFirst.data.count == 3)
                #expect(throughFirst.hasEarlier)
                let earlier = try await client.send(
                    .get, "\(thread)?at=\(try #require(throughFirst.data.first?.follows))", as: owner
                ).decode(Schemas.Thread.self)
                #expect(earlier.data.map(\.message.id) == [firstID])

                #expect(
                    try await client.send(.get, "\(thread)?through=\(firstID)&at=\(firstID)", as: owner).isProblem(
                        .unprocessableContent))
                #expect(try await client.send(.get, "\(thread)?through=%00", as: owner).isProblem(.badRequest))
                #expect(try await client.send(.get, "\(thread)?limit=0", as: owner).isProblem(.badRequest))
                #expect(
                    try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/none/thread", as: owner).isProblem(
                        .notFound))
                #expect(try await client.send(.get, thread, as: other).isProblem(.notFound))
                #expect(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner,
                        json: ["content": "x", "stream": false, "starts_anew": true, "parent_id": firstID]
                    ).isProblem(.unprocessableContent))
            }
        }
    }

    @Test func anAgentWithoutChatConnectionsIsRefusedAndStoresNothing() async throws {
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let chat = try await ChatFixture.make(client, owner, baseURLs: [])
            let refused = try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "hi"])
            #expect(refused.isProblem(.unprocessableContent))
            #expect(try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1", as: owner).isProblem(.notFound))
        }
    }
}
