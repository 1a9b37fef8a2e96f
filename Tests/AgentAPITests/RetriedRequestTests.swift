import AgentStore
import AgentTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import ProviderEmulator
import Testing

/// Requests that store a message, retried with their `Idempotency-Key` (a dropped connection, an SDK's
/// automatic retry of a 5xx): the message is stored once, and the retry answers with the exchange the first
/// request started, over real HTTP against real PostgreSQL and the provider emulator.
@Suite(.oneDatabase) struct RetriedRequestTests {
    let api: TestAPI
    init() async throws { api = try await TestAPI.make() }

    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func key(_ value: String) -> HTTPFields {
        [HTTPField.Name("Idempotency-Key")!: value]
    }

    @Test func aRetryFindsTheExchangeItsKeyStarted() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let body: [String: Any] = ["content": "once only", "stream": false]
                let first = try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-1"))
                #expect(first.status == .created && first.headers[Self.replayed] == nil)
                let retry = try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-1"))
                #expect(retry.status == .created && retry.headers[Self.replayed] == "true")
                let (stored, found) = (try Exchange.decode(first.text), try Exchange.decode(retry.text))
                #expect(found.message?.id == stored.message?.id && found.reply.id == stored.reply.id)
                #expect(found.reply.status == "complete" && found.reply.content == "once only")

                // Streamed, the retry is the same exchange as events.
                let streamed = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner, json: ["content": "once only"], headers: Self.key("k-1")))
                #expect(streamed.names == ["message", "reply.started", "reply.delta", "reply.completed"])
                #expect(try streamed.message("message").id == stored.message?.id)
                #expect(try streamed.ended().id == stored.reply.id && streamed.text == "once only")

                // One message, one reply, one call.
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(try page.ids(Schemas.MessagePage.self).count == 2)
                #expect(try await ChatFixture.usageOfTheModel(client, as: owner).requests == 1)
            }
        }
        #expect(await emulator.recordedRequests().count == 1)
    }

    @Test func aRetryWhileTheReplyRunsFollowsItToItsEnd() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let key = [("Idempotency-Key", "k-running")]
                let path = chat.replies("c1")
                let first = Task { try await live.post(path, json: ["content": ChatFixture.longReply], headers: key) }
                let replyID = try await chat.runningReply(client, owner)
                let retry = try await live.post(path, json: ["content": ChatFixture.longReply], headers: key)
                #expect(retry.status == 200 && retry.headers.first(name: "idempotent-replayed") == "true")
                let followed = StreamedReply(retry)
                #expect(followed.names.first == "message" && followed.names.last == "reply.completed")
                #expect(try followed.message("reply.started").id == replyID)
                let original = StreamedReply(try await first.value)
                #expect(try followed.message("message").id == original.message("message").id)
                #expect(followed.text == original.text && followed.text.count == 500)
            }
        }
        #expect(await emulator.recordedRequests().count == 1)
    }

    @Test func aRetryAfterAFailedReplyAnswersAgain() async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                // The provider fails the first call only.
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["\(baseURL)/script/status=500,status_times=1"])
                let body: [String: Any] = ["content": "try again", "stream": false]
                let failed = try Exchange.decode(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-2")).text)
                #expect(failed.reply.status == "failed")
                let retry = try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-2"))
                // A new reply to the same message, beside the failed one: not a replay.
                #expect(retry.status == .created && retry.headers[Self.replayed] == nil)
                let answered = try Exchange.decode(retry.text)
                #expect(answered.message?.id == failed.message?.id && answered.reply.id != failed.reply.id)
                #expect(answered.reply.status == "complete" && answered.reply.parentId == failed.message?.id)
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(try page.ids(Schemas.MessagePage.self) == [failed.message?.id, failed.reply.id, answered.reply.id])

                // The retry of the retry finds the reply that completed.
                let again = try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-2"))
                #expect(again.headers[Self.replayed] == "true")
                #expect(try Exchange.decode(again.text).reply.id == answered.reply.id)
            }
        }
    }

    @Test func twoRequestsWithOneKeyAtOnceStoreOneMessage() async throws {
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let path = chat.replies("c1")
                let json: [String: any Sendable] = ["content": "[emulator think_ms=300]\nat once", "stream": false]
                async let one = live.post(path, json: json, headers: [("Idempotency-Key", "k-3")])
                async let other = live.post(path, json: json, headers: [("Idempotency-Key", "k-3")])
                let answers = try await [one, other]
                #expect(answers.map(\.status) == [201, 201])
                #expect(answers.filter { $0.headers.first(name: "idempotent-replayed") == "true" }.count == 1)
                let exchanges = try answers.map { try Exchange.decode($0.text) }
                #expect(exchanges[0].message?.id == exchanges[1].message?.id && exchanges[0].reply.id == exchanges[1].reply.id)
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(try page.ids(Schemas.MessagePage.self).count == 2)
            }
        }
    }

    @Test func aKeyNamesOneRequestOfOneTenant() async throws {
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let body: [String: Any] = ["content": "first", "stream": false]
                let first = try await client.send(.post, chat.replies("c1"), as: owner, json: body, headers: Self.key("k-4"))
                #expect(first.status == .created)

                // The key with another message, or in another conversation, names another request.
                for (path, content) in [(chat.replies("c1"), "second"), (chat.replies("c2"), "first")] {
                    let reused = try await client.send(
                        .post, path, as: owner, json: ["content": content, "stream": false], headers: Self.key("k-4"))
                    #expect(reused.status == .unprocessableContent)
                    #expect(try reused.problemField() == "Idempotency-Key")
                }

                // Another tenant's request with the same key is its own.
                let theirs = try await ChatFixture.make(client, other, baseURLs: [baseURL])
                let own = try await client.send(.post, theirs.replies("c1"), as: other, json: body, headers: Self.key("k-4"))
                #expect(own.status == .created && own.headers[Self.replayed] == nil)
                let (theirMessage, ownersMessage) = (
                    try Exchange.decode(own.text).message, try Exchange.decode(first.text).message
                )
                #expect(theirMessage?.id != ownersMessage?.id)
            }
        }
    }

    @Test(arguments: ["", "has space", String(repeating: "k", count: 256), "naïve"])
    func aKeyThatIsNoKeyIsRefused(key: String) async throws {
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let agentID = try await client.createAgent(as: owner)
            let refused = try await client.send(
                .post, "/v1/agents/\(agentID)/conversations/c1/replies", as: owner, json: ["content": "x"],
                headers: Self.key(key))
            #expect(refused.status == .badRequest)
            #expect(try refused.problemField() == "Idempotency-Key")
        }
    }

    @Test(arguments: [false, true])
    func aRetriedCompletionFindsTheStoredExchange(stream: Bool) async throws {
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let body: [String: Any] = [
                    "model": "agent:\(chat.agentID)", "messages": [["role": "user", "content": "said once"]],
                    "metadata": ["conversation_id": "c1"], "stream": stream,
                ]
                var texts: [String] = []
                var ids: [String] = []
                for attempt in 0..<2 {
                    let answer = try await client.send(
                        .post, "/v1/chat/completions", as: owner, json: body, headers: Self.key("k-5"))
                    #expect(answer.status == .ok)
                    #expect(answer.headers[Self.replayed] == (attempt == 0 ? nil : "true"))
                    if stream {
                        #expect(StreamedEvent.parse(answer.text).last?.data == "[DONE]")
                        let chunks = try answer.chatCompletionChunks()
                        texts.append(chunks.compactMap { $0.choices.first?.delta.content }.joined())
                        ids.append(contentsOf: Set(chunks.map(\.id)))
                    } else {
                        let completion = try answer.decode(Schemas.ChatCompletion.self)
                        texts.append(try #require(completion.choices.first).message.content)
                        ids.append(completion.id)
                    }
                }
                #expect(texts == ["said once", "said once"])
                // The replay is the same completion, named after the stored reply.
                let reply = try await api.db.store.withTenant(owner.id) {
                    try await $0.messages(
                        agentID: AgentID(rawValue: chat.agentID)!, conversationID: ConversationID(rawValue: "c1")!,
                        PageRequest(limit: 10, order: .ascending))
                }.items.last
                let replyID = try #require(reply).id.rawValue
                #expect(ids.count == 2 && Set(ids) == ["chatcmpl-\(replyID)"], "\(ids)")
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(try page.ids(Schemas.MessagePage.self).count == 2)
            }
        }
        #expect(await emulator.recordedRequests().count == 1)
    }
}
