import AgentReplies
import AgentStore
import AgentTestSupport
import Hummingbird
import HummingbirdTesting
import ProviderEmulator
import Testing

/// An instance runs a bounded number of generations at once, of which one tenant may run a quarter: past
/// its share a tenant's next reply is a 429, past the instance's capacity anyone's is a 503, both before
/// anything is stored, and a slot comes back when its generation ends.
@Suite(.oneDatabase) struct GenerationSlotsTests {
    @Test func aTenantRunsItsShareAndTheInstanceItsCapacity() async throws {
        // Room for 4 at once, 1 per tenant.
        let api = try await TestAPI.make(replySettings: ReplySettings(maximumRunning: 4))
        var made: [Tenant] = []
        for _ in 0..<5 { made.append(try await api.makeUser()) }
        let tenants = made
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let port = try #require(client.port)
                var chats: [ChatFixture] = []
                for tenant in tenants { chats.append(try await ChatFixture.make(client, tenant, baseURLs: [baseURL])) }
                // Four tenants' replies, each running about twenty seconds.
                var running: [Task<LiveRequest.Answer, any Error>] = []
                for (tenant, chat) in zip(tenants, chats).prefix(4) {
                    let live = LiveRequest(port: port, tenant: tenant)
                    let path = chat.replies("long")
                    running.append(Task { try await live.post(path, json: ["content": Self.slowReply, "stream": false]) })
                }
                // All four generating (their slots charged to their tenants as they started).
                for _ in 0..<1500 where api.replies.running.count < 4 { try await Task.sleep(for: .milliseconds(10)) }
                #expect(api.replies.slots.running == 4)

                // The first tenant's second reply: its share is taken.
                let (first, firstChat) = (tenants[0], chats[0])
                let second = try await client.send(.post, firstChat.replies("second"), as: first, json: ["content": "hi"])
                #expect(second.status == .tooManyRequests)
                #expect(second.headers[.retryAfter] == "1")
                #expect(try second.decode(Schemas.Problem.self)._type.hasSuffix("/too-many-replies"))
                // Nothing of it was stored: its conversation does not exist.
                let stored = try await client.send(
                    .get, "/v1/agents/\(firstChat.agentID)/conversations/second/messages", as: first)
                #expect(stored.status == .notFound)
                // The OpenAI-compatible endpoint counts against the same share, in OpenAI's words.
                let completion = try await client.send(
                    .post, "/v1/chat/completions", as: first,
                    json: ["model": "agent:\(firstChat.agentID)", "messages": [["role": "user", "content": "hi"]]])
                #expect(completion.status == .tooManyRequests)
                #expect(try completion.decode(Schemas.OpenAIError.self).error.code == "too-many-replies")

                // A fifth tenant finds the instance full.
                let (fifth, fifthChat) = (tenants[4], chats[4])
                let full = try await client.send(.post, fifthChat.replies("c1"), as: fifth, json: ["content": "hi"])
                #expect(full.status == .serviceUnavailable)
                #expect(full.headers[.retryAfter] == "1")

                for reply in running { #expect(try await reply.value.status == 201) }
                // On /metrics, by type: the two refusals of the tenant's share.
                let refusals = try await api.metricsText().split(separator: "\n").filter { $0.hasPrefix("http_refusals_total{") }
                #expect(refusals.contains(#"http_refusals_total{type="too-many-replies"} 2"#), "\(refusals)")
                // The slots come back as the generations end.
                for _ in 0..<1500 where api.replies.slots.running > 0 { try await Task.sleep(for: .milliseconds(10)) }
                let again = try await client.send(
                    .post, fifthChat.replies("c1"), as: fifth, json: ["content": "hi", "stream": false])
                #expect(again.status == .created)
            }
        }
    }

    /// Eighty pieces a quarter of a second apart (20 s): long enough for all four to start and the refusals
    /// above to be made while they run, on a loaded machine.
    static let slowReply = "[emulator chunks=80 delay_ms=250]\n" + String(repeating: "slow ", count: 80)

    /// A slot counts against its tenant only once its generation starts, when the request's transaction has
    /// checked the token: requests naming an account with a token that fails its check hold none of its share.
    @Test func onlyAStartedGenerationCountsAgainstItsTenant() async throws {
        let replies = try await TestAPI.make(replySettings: ReplySettings(maximumRunning: 4)).replies
        let tenant = try #require(UserID(rawValue: "00000000-0000-0000-0000-000000000001"))
        // Two requests about to start one, neither checked yet: the tenant's share (1) is not taken.
        let first = try replies.admit(tenant)
        let second = try replies.admit(tenant)
        #expect(replies.slots.running == 2)
        first.starts()
        #expect(throws: GenerationSlots.Refusal.self) { try replies.admit(tenant) }
        _ = consume second
        #expect(replies.slots.running == 1)
        _ = consume first
        #expect(replies.slots.running == 0)
        #expect(throws: Never.self) { _ = try replies.admit(tenant) }
    }
}
