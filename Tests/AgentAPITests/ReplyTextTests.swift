import AgentAPI
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProviderEmulator
import Testing

/// Text a provider sends that a message cannot hold as sent: more than a message holds, or a NUL. Either
/// once failed the reply's storing (a CHECK, an encoding error), and the reply stayed `streaming` with its
/// text lost and its tokens reserved. Whatever else the database refuses ends the reply too.
@Suite(.oneDatabase) struct ReplyTextTests {
    @Test func aProviderThatRunsOnIsStoppedWhereAMessageIsFull() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                // 10,000 characters 150 times over, in 150 pieces: one and a half million characters. Over a
                // connection of its own: the test client gives a request 20 s, which a million characters
                // streamed to it took under the whole suite's load.
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let stream = StreamedReply(
                    try await live.post(
                        chat.replies("c1"),
                        json: ["content": "[emulator repeat=150 chunks=150]\n" + String(repeating: "0123456789", count: 1000)]))
                #expect(stream.failureType?.hasSuffix("/reply-too-long") == true)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.error?.hasSuffix("/reply-too-long") == true)
                #expect(reply.content.count == 1_000_000 && reply.content == stream.text)
                #expect(reply.usage != nil)
                let stored = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1", as: owner)
                let last = try #require(try stored.decode(Schemas.Conversation.self).lastMessage?.value1)
                #expect(last.id == reply.id && last.status == .failed)
                // Its reservation was released: the tenant's usage shows the call settled.
                let usage = try await client.send(.get, "/v1/usage", as: owner)
                #expect(usage.status == .ok && !usage.text.contains(#""running""#))
            }
        }
    }

    /// The upstream stops where the message is full, not once the outcome is stored: storing may wait (here
    /// on a row another transaction holds; in production on a database away), and meanwhile the provider
    /// would go on generating on the tenant's key.
    @Test func aProviderThatRunsOnIsStoppedBeforeTheReplyIsStored() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                // Three million characters in 1,000 pieces 10 ms apart: full after 3.3 s, 6.7 s more to its end.
                let content = "[emulator repeat=1000 chunks=1000 delay_ms=10]\n" + String(repeating: "0123456789", count: 300)
                // Over a connection of its own, as above: the test client's 20 s did not always suffice.
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let replying = Task { StreamedReply(try await live.post(chat.replies("c1"), json: ["content": content])) }
                try await api.db.admin.withConnection { holder in
                    var streaming: String?
                    for _ in 0..<500 where streaming == nil {
                        let rows = try await holder.query(
                            "SELECT id FROM agent_messages WHERE owner_id = \(owner.id.rawValue) AND status = 'streaming'",
                            logger: api.db.logger
                        ).collect()
                        streaming = try rows.first?.decode(String.self)
                        if streaming == nil { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    let reply = try #require(streaming)
                    try await holder.query("BEGIN", logger: api.db.logger)
                    try await holder.query("SELECT 1 FROM agent_messages WHERE id = \(reply) FOR UPDATE", logger: api.db.logger)
                    // Held while the message fills and the outcome waits to be stored.
                    var closedEarly = 0
                    for _ in 0..<400 where closedEarly == 0 {
                        closedEarly = await emulator.stats().streamsClosedEarly
                        if closedEarly == 0 { try await Task.sleep(for: .milliseconds(20)) }
                    }
                    #expect(closedEarly == 1)
                    try await holder.query("ROLLBACK", logger: api.db.logger)
                }
                let stream = try await replying.value
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.error?.hasSuffix("/reply-too-long") == true)
                #expect(reply.content.count == 1_000_000)
            }
        }
    }

    @Test func aNULInTheProvidersTextIsKeptAsAReplacementCharacter() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL + "/script/text=before%00after"])
                let stream = StreamedReply(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "Hi"]))
                let reply = try stream.ended()
                #expect(reply.status == "complete")
                #expect(reply.content == "before\u{FFFD}after" && stream.text == reply.content)
                let page = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1/messages", as: owner)
                #expect(page.text.contains(#"before\#u{FFFD}after"#))
            }
        }
    }

    /// A refusal no validation foresaw (here a check added for the test) is not retried for a minute and
    /// dropped: the reply is stored failed without its text, and its tokens are released. On a database of
    /// its own: the table's lock would queue the suite's other tests behind its siblings' row locks.
    @Test func anOutcomeTheDatabaseRefusesIsStoredWithoutItsText() async throws {
        let api = try await TestDatabase.$ofSuite.withValue(nil) { try await TestAPI.make() }
        let owner = try await api.makeUser()
        _ = try await api.db.admin.query(
            "ALTER TABLE agent_messages ADD CONSTRAINT test_refuses_marker CHECK (content NOT LIKE '%refuse-me%')",
            logger: api.logger
        ).collect()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL + "/script/text=refuse-me"])
                let stream = StreamedReply(
                    try await client.send(.post, chat.replies("c1"), as: owner, json: ["content": "Hi"]))
                #expect(stream.failureType?.hasSuffix("/reply-not-stored") == true)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.content.isEmpty && reply.usage != nil)
                let usage = try await client.send(.get, "/v1/usage", as: owner)
                #expect(usage.status == .ok && !usage.text.contains(#""running""#))
            }
        }
    }
}
