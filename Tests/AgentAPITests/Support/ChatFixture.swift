import AgentStore
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A message as the reply tests read it: the fields replies added, decoded strictly enough to fail on a
/// wrong type. (The contract check holds every response to the document as well.)
struct ReplyMessage: Decodable, Sendable, Equatable {
    let id: String
    let conversationId: String
    let role: String
    let content: String
    let parentId: String?
    let status: String
    let model: String?
    let connectionId: String?
    let usage: Usage?
    let latencyMs: Int?
    let timeToFirstTokenMs: Int?
    let finishReason: String?
    let error: String?
    let errorDetail: String?

    struct Usage: Decodable, Sendable, Equatable {
        let promptTokens: Int
        let completionTokens: Int
        let totalTokens: Int
        let estimated: Bool
    }

    static func decode(_ text: String) throws -> ReplyMessage {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReplyMessage.self, from: Data(text.utf8))
    }
}

/// The body of a reply that was not streamed.
struct Exchange: Decodable, Sendable {
    let message: ReplyMessage?
    let reply: ReplyMessage

    static func decode(_ text: String) throws -> Exchange {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Exchange.self, from: Data(text.utf8))
    }
}

/// A streamed reply, read whole: its events in order.
struct StreamedReply: Sendable {
    let events: [StreamedEvent]

    init(_ response: TestResponse) {
        events = StreamedEvent.parse(response.text)
    }

    /// A stream read over a connection of its own (`LiveRequest`).
    init(_ answer: LiveRequest.Answer) {
        events = StreamedEvent.parse(answer.text)
    }

    var names: [String] { events.compactMap(\.name) }
    var text: String {
        events.filter { $0.name == "reply.delta" }.compactMap { event in
            (try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])?["text"] as? String
        }.joined()
    }

    func message(_ name: String) throws -> ReplyMessage {
        try ReplyMessage.decode(try #require(events.first { $0.name == name }).data)
    }

    /// The reply stored at the end, from `reply.completed` or the `reply` of `reply.failed`.
    func ended() throws -> ReplyMessage {
        if let completed = events.first(where: { $0.name == "reply.completed" }) {
            return try ReplyMessage.decode(completed.data)
        }
        let failed = try #require(events.first { $0.name == "reply.failed" })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(failed.data.utf8)) as? [String: Any])
        let reply = try JSONSerialization.data(withJSONObject: try #require(object["reply"]))
        return try ReplyMessage.decode(String(decoding: reply, as: UTF8.self))
    }

    /// The problem of `reply.failed`, if the reply failed.
    var failure: Failure? {
        guard let failed = events.first(where: { $0.name == "reply.failed" }) else { return nil }
        return try? JSONDecoder().decode(Failure.self, from: Data(failed.data.utf8))
    }

    /// The problem type of `reply.failed`, if the reply failed.
    var failureType: String? { failure?.type }

    /// The parts of `reply.failed`'s problem the tests read.
    struct Failure: Decodable, Sendable {
        let type: String
        let status: Int
        let detail: String?
    }
}

/// An agent with linked chat connections, for a tenant of a test.
struct ChatFixture: Sendable {
    let agentID: String
    let connectionIDs: [String]

    static let apiKey = "sk-test-key-0123456789"
    /// The key's SHA-256 in lowercase hex, as the emulator records the key it was sent.
    static let apiKeySHA256 = SHA256.hash(data: Data(apiKey.utf8)).map { String(format: "%02x", $0) }.joined()
    /// A reply of 100 pieces 30 ms apart: three seconds, long enough to act on while it runs.
    static let longReply = "[emulator chunks=100 delay_ms=30]\n" + String(repeating: "word ", count: 100)

    /// An agent (`max_tokens` when given) linked to one connection per base URL, in order.
    static func make(
        _ client: any TestClientProtocol, _ owner: Tenant, baseURLs: [String], service: String = "openai",
        maxTokens: Int? = nil, systemPrompt: String = "You are a test agent."
    ) async throws -> ChatFixture {
        var agent: [String: Any] = ["name": "chat", "system_prompt": systemPrompt, "model": "emulated-model"]
        if let maxTokens { agent["max_tokens"] = maxTokens }
        let agentID = try await client.send(.post, "/v1/agents", as: owner, json: agent).decode(Schemas.Agent.self).id
        var connectionIDs: [String] = []
        for (index, baseURL) in baseURLs.enumerated() {
            let created = try await client.send(
                .post, "/v1/connections", as: owner,
                json: ["name": "provider \(index)", "service": service, "api_key": apiKey, "metadata": ["base_url": baseURL]])
            #expect(created.status == .created, "\(created.text)")
            let connectionID = try created.decode(Schemas.Connection.self).id
            let linked = try await client.send(.put, "/v1/agents/\(agentID)/connections/\(connectionID)", as: owner)
            #expect(linked.status == .ok || linked.status == .created)
            connectionIDs.append(connectionID)
        }
        return ChatFixture(agentID: agentID, connectionIDs: connectionIDs)
    }

    func replies(_ conversation: String) -> String {
        "/v1/agents/\(agentID)/conversations/\(conversation)/replies"
    }

    /// The reply to `content`, posted to `conversation` without streaming, as stored.
    func reply(
        _ client: any TestClientProtocol, as owner: Tenant, in conversation: String = "c1", to content: String
    ) async throws -> ReplyMessage {
        let posted = try await client.send(.post, replies(conversation), as: owner, json: ["content": content, "stream": false])
        return try Exchange.decode(posted.text).reply
    }

    /// The tenant's usage of the agent's one model (`GET /v1/usage?group_by=model`).
    static func usageOfTheModel(_ client: any TestClientProtocol, as owner: Tenant) async throws -> Schemas.UsageRow {
        let report = try await client.send(.get, "/v1/usage?group_by=model", as: owner).decode(Schemas.UsageReport.self)
        return try #require(report.data.first)
    }

    /// A streamed reply to `content` in conversation `c1`, posted over `live` and read to its end in the
    /// background: its events.
    func streamInBackground(_ live: LiveRequest, _ content: String) -> Task<[StreamedEvent], any Error> {
        let path = replies("c1")
        return Task { StreamedEvent.parse(try await live.post(path, json: ["content": content]).text) }
    }

    /// A reply of 40 pieces 250 ms apart with `text` (ten seconds: long enough to still run while a loaded
    /// machine's test looks at it), streamed over a connection of its own in conversation `c1`: its id once
    /// it runs, and its stream's events at its end.
    func slowReply(
        _ client: any TestClientProtocol, _ owner: Tenant, text: String
    ) async throws -> (replyID: String, streaming: Task<[StreamedEvent], any Error>) {
        let live = LiveRequest(port: try #require(client.port), tenant: owner)
        let streaming = streamInBackground(live, "[emulator chunks=40 delay_ms=250 text=\"\(text)\"]\nhello")
        return (try await runningReply(client, owner), streaming)
    }

    /// A reply in conversation `c1` that no instance runs, as an instance that died leaves one: started in
    /// `store` (stored `streaming`, its call in the ledger) with no generation behind it.
    func replyNoInstanceRuns(in store: AgentStore, of owner: Tenant) async throws -> ReplyStart {
        let agentID = try #require(AgentID(rawValue: agentID))
        let conversationID = try #require(ConversationID(rawValue: "c1"))
        return try await store.withTenant(owner.id) {
            try await $0.beginReply(
                agentID: agentID, conversationID: conversationID, NewReply(content: "hello"), limits: .unlimited,
                budget: ContextBudget())
        }
    }

    /// Waits until reply `id` is no longer `streaming` (30 s at most: a loaded machine's fallbacks and
    /// replies take longer than they do alone).
    func waitUntilEnded(_ id: String, in store: AgentStore, of owner: Tenant) async throws {
        let messageID = try #require(MessageID(rawValue: id))
        try await Self.poll("reply \(id) to end") {
            try await store.withTenant(owner.id, { try await $0.message(messageID) }).status != .streaming ? () : nil
        }
    }

    /// The id of conversation `c1`'s last message, once it is a reply (30 s at most).
    func runningReply(_ client: any TestClientProtocol, _ owner: Tenant) async throws -> String {
        try await Self.poll("conversation c1's reply") {
            let conversation = try await client.send(.get, "/v1/agents/\(agentID)/conversations/c1", as: owner)
            guard conversation.status == .ok, let last = try conversation.decode(Schemas.Conversation.self).lastMessage?.value1,
                last.role == .assistant
            else { return nil }
            return last.id
        }
    }

    /// What `attempt` gives once it gives something, asked every 20 ms for `limit` at most.
    static func poll<Value>(
        _ what: String, limit: Duration = .seconds(30), _ attempt: () async throws -> Value?
    ) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if let value = try await attempt() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PollTimeout(waitingFor: what, limit: limit)
    }
}

/// A poll of a test that gave up, saying what it waited for.
struct PollTimeout: Error, CustomStringConvertible {
    let waitingFor: String
    let limit: Duration
    var description: String { "gave up waiting for \(waitingFor) after \(limit)" }
}
