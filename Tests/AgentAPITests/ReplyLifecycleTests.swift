import AgentAPI
import AgentConsole
import AgentProviders
import AgentReplies
import AgentStore
import AgentTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PostgresNIO
import ProviderEmulator
import Testing

/// What happens to a reply while it runs: a cancel stops the upstream call at once, a client that goes
/// away loses nothing (the reply runs on and can be followed again), and limits hold under concurrency.
@Suite(.oneDatabase) struct ReplyLifecycleTests {
    @Test func cancelStopsTheUpstreamCallAndKeepsTheText() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let streaming = chat.streamInBackground(live, ChatFixture.longReply)
                let replyID = try await chat.runningReply(client, owner)
                // Cancelled once the provider has the call (a cancel before would stop no stream of its).
                try await ChatFixture.poll("the emulator to get the call") {
                    await emulator.recordedRequests().isEmpty ? nil : ()
                }
                let cancelled = try ReplyMessage.decode(
                    try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).text)
                #expect(cancelled.status == "cancelled")
                #expect(cancelled.content.count < 500)
                #expect(cancelled.usage != nil)
                let events = try await streaming.value
                #expect(events.last?.name == "reply.completed")
                #expect(try ReplyMessage.decode(try #require(events.last).data) == cancelled)
                // Cancelling again answers the stored reply.
                #expect(
                    try ReplyMessage.decode(try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).text)
                        == cancelled)
            }
            // The emulator saw its stream closed before the end: the upstream call stopped.
            #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
        }
    }

    @Test func aCancelWhileAKeyFailsOpensNoOtherKey() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                // The first key fails slowly, as a gateway's 503 does; the second would answer.
                let chat = try await ChatFixture.make(
                    client, owner, baseURLs: ["\(baseURL)/script/status=503,delay_ms=1500", baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let streaming = Task {
                    StreamedEvent.parse(try await live.post(chat.replies("c1"), json: ["content": "hi"]).text)
                }
                let replyID = try await chat.runningReply(client, owner)
                try await ChatFixture.poll("the first key's call", limit: .seconds(25)) {
                    await emulator.recordedRequests().isEmpty ? nil : ()
                }
                let cancelled = try ReplyMessage.decode(
                    try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).text)
                #expect(cancelled.status == "cancelled" && cancelled.content.isEmpty)
                #expect(try await streaming.value.last?.name == "reply.completed")
                // Past the moment the first key's 503 would have come: no other provider was called, and no
                // other key opened (the first was opened with the reply's start).
                try await Task.sleep(for: .milliseconds(1800))
                let requests = await emulator.recordedRequests()
                #expect(requests.count == 1 && requests.allSatisfy { $0.path.contains("status=503") })
                let openings = try await client.send(.get, "/v1/audit-log", as: owner).decode(Schemas.AuditEntryPage.self).data
                    .filter { $0.action == "connection.opened" }
                #expect(openings.map(\.targetId) == [chat.connectionIDs[0]])
            }
        }
    }

    /// Deleting a conversation, an agent or the account stops its running replies: no provider call runs
    /// on, billed, for a reply that no longer exists, and its ledger row is settled (or, with the account,
    /// deleted). (The suite's tests share a
    /// database: only this tenant's calls are counted.)
    @Test(arguments: [("conversation", false), ("conversation", true), ("agent", false), ("agent", true), ("account", false)])
    func deletingStopsTheRunningReplies(what: String, fromTheConsole: Bool) async throws {
        var made = try await TestAPI.make()
        made.companions = [try WebConsole()]
        let api = made
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let streaming = chat.streamInBackground(live, ChatFixture.longReply)
                _ = try await chat.runningReply(client, owner)
                let path =
                    switch what {
                    case "account": "/me"
                    case "agent": "/agents/\(chat.agentID)"
                    default: "/agents/\(chat.agentID)/conversations/c1"
                    }
                if fromTheConsole {
                    let browser = ConsoleBrowser(client)
                    try await browser.signIn(owner.token)
                    let csrf = ConsoleBrowser.csrf(in: try await browser.request(.get, "/agents"))
                    let deleted = try await browser.request(.post, "\(path)/delete", form: ["_csrf": csrf])
                    #expect(deleted.status == .seeOther)
                } else {
                    #expect(try await client.send(.delete, "/v1\(path)", as: owner).status == .noContent)
                }
                // The stream ends as a follower's on another instance does: cancelled, not an outage.
                let events = try await streaming.value
                #expect(events.last?.name == "reply.failed")
                #expect(events.last?.data.contains("/reply-cancelled\"") == true, "\(events.last?.data ?? "")")
                #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
                #expect(api.replies.running.count == 0)
            }
        }
        let running = try await api.db.admin.query(
            "SELECT count(*)::int FROM provider_calls WHERE status = 'running' AND user_id = \(owner.id.rawValue)",
            logger: api.db.logger
        ).collect().first?.decode(Int.self)
        #expect(running == 0)
    }

    /// Deleting the account also stops its completions that store no reply, and counts what a call still
    /// running then may spend (its reservation) in the month's tokens, which outlive the account: its ledger
    /// row goes with the account, so its settlement counts nothing, and a tenant that signed in again (a JSON
    /// Web Token provisions it anew) would have those tokens back.
    @Test func deletingTheAccountStopsItsCompletionsAndCountsTheirReservations() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let completing = Task {
                    try await live.post(
                        "/v1/chat/completions",
                        json: [
                            "model": "agent:\(chat.agentID)", "stream": true,
                            "messages": [["role": "user", "content": ChatFixture.longReply]],
                        ])
                }
                for _ in 0..<500 where api.replies.running.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
                let reserved = try await api.db.admin.query(
                    "SELECT reserved_tokens FROM provider_calls WHERE status = 'running' AND user_id = \(owner.id.rawValue)",
                    logger: api.db.logger
                ).collect().first?.decode(Int.self)
                let reservation = try #require(reserved)
                #expect(reservation > 0)
                #expect(try await client.send(.delete, "/v1/me", as: owner).status == .noContent)
                let stream = try await completing.value
                #expect(!stream.text.hasSuffix("data: [DONE]\n\n"))
                #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
                #expect(api.replies.running.count == 0)

                _ = try await api.db.store.withTenant(owner.id) { try await $0.createCurrentUser(email: "back@example.com") }
                let standing = try await api.db.store.withTenant(owner.id) {
                    try await $0.chatLimitStanding(defaults: .unlimited)
                }
                #expect(standing.tokensThisMonth == reservation)
            }
        }
    }

    @Test func theTimeLimitStopsTheUpstreamCallAndTheReplyKeepsItsText() async throws {
        // Three seconds: with the whole suite loading both cores, a one-second limit has ended a reply before
        // its first piece arrived, leaving no text to keep.
        let api = try await TestAPI.make(replySettings: ReplySettings(timeLimit: .seconds(3)))
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let clock = ContinuousClock()
                let started = clock.now
                // A hundred pieces 100 ms apart: more than three times the limit.
                let stream = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner,
                        json: ["content": "[emulator chunks=100 delay_ms=100]\n" + String(repeating: "word ", count: 100)]))
                // About the limit; the margin is for a loaded machine (10 s was seen with the whole suite on a slower
                // one). That the limit cut the reply is its stored status and text, below.
                #expect(clock.now - started < .seconds(15))
                #expect(stream.failureType?.hasSuffix("/reply-time-limit") == true)
                let reply = try stream.ended()
                #expect(reply.status == "failed" && reply.error?.hasSuffix("/reply-time-limit") == true)
                #expect(!reply.content.isEmpty && reply.content == stream.text && reply.content.count < 500)
                #expect(reply.usage != nil)
                let conversation = try await client.send(.get, "/v1/agents/\(chat.agentID)/conversations/c1", as: owner)
                let last = try #require(try conversation.decode(Schemas.Conversation.self).lastMessage?.value1)
                #expect(last.id == reply.id && last.status == .failed)
                // Replayed from the store, its end is told as it was live: a 504, not a generic 502.
                let replayed = StreamedReply(try await client.send(.get, "/v1/messages/\(reply.id)/stream", as: owner))
                let live = try #require(stream.events.last { $0.name == "reply.failed" }?.data)
                let again = try #require(replayed.events.last { $0.name == "reply.failed" }?.data)
                for member in [#""status":504"#, #""title":"Reply time limit""#] {
                    #expect(live.contains(member) && again.contains(member), "\(again)")
                }
            }
            // The upstream call was stopped, not left to run its ten seconds.
            #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
        }
    }

    @Test func aClientThatGoesAwayLosesNothing() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let text = (1...30).map { "w\($0)" }.joined(separator: " ")
                // Read the stream until the first delta, then hang up.
                try await live.postThenHangUp(
                    chat.replies("c1"), json: ["content": "[emulator chunks=30 delay_ms=40]\n\(text)"], onceRead: "reply.delta")
                let replyID = try await chat.runningReply(client, owner)
                // Reattach: what was generated so far, then the rest, to the end.
                let followed = StreamedReply(try await client.send(.get, "/v1/messages/\(replyID)/stream", as: owner))
                #expect(followed.names.first == "reply.started" && followed.names.last == "reply.completed")
                let reply = try followed.ended()
                #expect(reply.status == "complete" && reply.content == text && followed.text == text)
                // Once ended, following it replays the stored reply.
                let replayed = StreamedReply(try await client.send(.get, "/v1/messages/\(replyID)/stream", as: owner))
                #expect(try replayed.ended() == reply && replayed.text == text)
            }
        }
    }

    /// A chat completion outside a conversation is stored nowhere and cannot be followed again: when its
    /// client goes away, its provider call stops rather than spend the tenant's key on text no one reads.
    @Test func aCompletionWhoseClientGoesAwayStopsItsUpstreamCall() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let text = (1...50).map { "w\($0)" }.joined(separator: " ")
                // Fifty pieces 100 ms apart; read up to the first, then hang up.
                try await live.postThenHangUp(
                    "/v1/chat/completions",
                    json: [
                        "model": "agent:\(chat.agentID)", "stream": true,
                        "messages": [["role": "user", "content": "[emulator chunks=50 delay_ms=100]\n\(text)"]],
                    ], onceRead: "\"content\":\"w")
                // Seen while the platform runs on: its shutdown would stop the call too.
                #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
            }
        }
    }

    /// OpenAI's format has no status to say a reply was cut short: a cancelled completion ends with an
    /// error chunk in place of `[DONE]`, so that no client takes the text so far for the answer.
    @Test func aCancelledCompletionEndsWithAnErrorNotDone() async throws {
        let api = try await TestAPI.make()
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let streaming = Task {
                    StreamedEvent.parse(
                        try await live.post(
                            "/v1/chat/completions",
                            json: [
                                "model": "agent:\(chat.agentID)", "stream": true, "metadata": ["conversation_id": "c1"],
                                "messages": [
                                    [
                                        "role": "user",
                                        "content": ChatFixture.longReply,
                                    ]
                                ],
                            ]
                        ).text)
                }
                let replyID = try await chat.runningReply(client, owner)
                try await Task.sleep(for: .milliseconds(150))
                #expect(try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).status == .ok)
                let events = try await streaming.value
                #expect(!events.contains { $0.data == "[DONE]" })
                let ending = try #require(events.last)
                let last = try Contract.decoder().decode(Schemas.OpenAIError.self, from: Data(ending.data.utf8))
                #expect(last.error.code == "reply-cancelled")
            }
        }
    }

    /// Streamed or not, concurrent replies pass the budget no further than their reservations allow.
    @Test(arguments: [false, true]) func theMonthlyBudgetHoldsUnderConcurrentReplies(streamed: Bool) async throws {
        // Each reply reserves its prompt and max_tokens (100) before the call: 250 tokens admit two.
        let api = try await TestAPI.make(replySettings: ReplySettings(defaultLimits: ChatLimits(monthlyTokenBudget: 250)))
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL], maxTokens: 100, systemPrompt: "")
                // Six at once, each running long enough that all six start before any ends.
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let answers = try await withThrowingTaskGroup(of: LiveRequest.Answer.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            try await live.post(
                                chat.replies("c\(index)"), json: ["content": "[emulator delay_ms=1500]\nhi", "stream": streamed])
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.filter { $0.status == (streamed ? 200 : 201) }.count == 2)
                #expect(answers.filter { $0.status == 429 }.count == 4)
                #expect(answers.filter { $0.status == 429 }.allSatisfy { ($0.retryAfter.flatMap { Int($0) } ?? 0) > 0 })
                // Refused with tokens left (the running calls' reservations take them): the detail says why.
                #expect(
                    answers.filter { $0.status == 429 }.allSatisfy {
                        $0.text.contains("too little left for this call while calls still running hold their reservations")
                            && $0.text.contains(#""limit":"monthly_token_budget""#)
                    })
                let limits = try await client.send(.get, "/v1/limits", as: owner).decode(Schemas.Limits.self)
                #expect(limits.monthlyTokenBudget == 250)
                #expect(limits.tokensThisMonth <= 250)
                // Both calls ended: nothing is held any more, and the refusals were not requests.
                #expect(limits.tokensReserved == 0)
                #expect(limits.requestsThisMinute == 2)
            }
        }
    }

    @Test func requestsPerMinuteAreLimitedPerTenantWithOperatorOverrides() async throws {
        let api = try await TestAPI.make(replySettings: ReplySettings(defaultLimits: ChatLimits(requestsPerMinute: 2)))
        let owner = try await api.makeUser()
        let other = try await api.makeUser()
        try await ChatLimitOverrides(admin: api.db.admin, logger: api.logger).set(
            ChatLimits(requestsPerMinute: 3), for: other.id)
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                for (tenant, allowed) in [(owner, 2), (other, 3)] {
                    let chat = try await ChatFixture.make(client, tenant, baseURLs: [baseURL])
                    for attempt in 0...allowed {
                        let response = try await client.send(
                            .post, chat.replies("c1"), as: tenant, json: ["content": "hi", "stream": false])
                        #expect(response.status == (attempt < allowed ? .created : .tooManyRequests))
                        if attempt == allowed { #expect(response.isProblem(.tooManyRequests)) }
                    }
                }
            }
        }
    }
}

/// A provider that stalls or drops the connection mid-reply fails that reply, in bounded time, and
/// nothing else.
@Suite(.oneDatabase) struct ProviderFaultTests {
    @Test(arguments: ["stall_after=2,stall_ms=20000", "drop_after=2"])
    func aStalledOrDroppedProviderFailsTheReplyInBoundedTime(script: String) async throws {
        // Five seconds of silence is a stall: 500 ms, then 2 s, once failed a dropped reply as stalled before
        // its first piece arrived, with the whole suite loading both cores of a slower machine.
        let api = try await TestAPI.make(providerTimeouts: ProviderTimeouts(idle: .seconds(5)))
        let owner = try await api.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let clock = ContinuousClock()
                let started = clock.now
                let stream = StreamedReply(
                    try await client.send(
                        .post, chat.replies("c1"), as: owner, json: ["content": "[emulator \(script)]\none two three four"]))
                // Well before the 20 s stall would end by itself; the margin is for a loaded machine.
                #expect(clock.now - started < .seconds(15))
                let reply = try stream.ended()
                #expect(reply.status == "failed" && !reply.content.isEmpty)
                #expect(
                    stream.failureType.map { $0.hasSuffix("/provider-stalled") || $0.hasSuffix("/provider-connection-lost") }
                        == true)
                // The platform answers at once meanwhile and after.
                #expect(try await client.send(.get, "/v1/agents/\(chat.agentID)", as: owner).status == .ok)
            }
        }
    }
}
