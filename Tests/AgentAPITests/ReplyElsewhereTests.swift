import AgentAPI
import AgentConsole
import AgentStore
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ProviderEmulator
import Synchronization
import Testing

@testable import AgentReplies

/// Two instances of the platform over one database: a reply runs on one, and the other is asked to cancel
/// it or to follow it.
@Suite(.oneDatabase) struct ReplyElsewhereTests {
    @Test func aCancelReachesTheInstanceThatRunsTheReply() async throws {
        let running = try await TestAPI.make()
        let other = try await TestAPI.make()
        let owner = try await running.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            try await running.receivingCancels {
                try await running.test(.live) { client in
                    let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                    let live = LiveRequest(port: try #require(client.port), tenant: owner)
                    let streaming = chat.streamInBackground(live, ChatFixture.longReply)
                    let replyID = try await chat.runningReply(client, owner)
                    let cancelled = try await other.test { elsewhere in
                        let answer = try await elsewhere.send(.post, "/v1/messages/\(replyID)/cancel", as: owner)
                        #expect(answer.status == .ok, "\(answer.text)")
                        return try ReplyMessage.decode(answer.text)
                    }
                    #expect(cancelled.status == "cancelled")
                    #expect(cancelled.content.count < 500)
                    let events = try await streaming.value
                    #expect(events.last?.name == "reply.completed")
                    #expect(try ReplyMessage.decode(try #require(events.last).data) == cancelled)
                }
            }
            // The instance that ran the reply stopped its upstream call.
            #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
        }
    }

    @Test func aCancelPublishedForAnotherTenantStopsNothing() async throws {
        let running = try await TestAPI.make()
        let other = try await TestAPI.make()
        let owner = try await running.makeUser()
        let intruder = try await running.makeUser("intruder")
        try await ProviderEmulator().withRunning { baseURL in
            try await running.receivingCancels {
                try await running.test(.live) { client in
                    let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                    let live = LiveRequest(port: try #require(client.port), tenant: owner)
                    let text = (1...20).map { "w\($0)" }.joined(separator: " ")
                    let streaming = chat.streamInBackground(live, "[emulator chunks=20 delay_ms=50]\n\(text)")
                    let replyID = try await chat.runningReply(client, owner)
                    // Through the API, another tenant's reply does not exist.
                    let refused = try await other.test {
                        try await $0.send(.post, "/v1/messages/\(replyID)/cancel", as: intruder)
                    }
                    #expect(refused.status == .notFound)
                    // Published as another tenant, the cancel reaches the instance, which stops nothing.
                    try await running.db.store.withTenant(intruder.id) {
                        try await $0.publishCancel(of: try #require(MessageID(rawValue: replyID)))
                    }
                    let events = try await streaming.value
                    let reply = try ReplyMessage.decode(try #require(events.last).data)
                    #expect(reply.status == "complete" && reply.content == text)
                }
            }
        }
    }

    /// A reply that runs for up to ten seconds unless cancelled: the tests below end it once their
    /// followers are in place, so that a loaded machine cannot end it before they ask.
    static let cancelledReply = "[emulator chunks=200 delay_ms=50]\n" + (1...200).map { "w\($0) " }.joined()

    /// Waits (30 s at most) until `count` clients of `api` follow replies that run elsewhere.
    private func followersElsewhere(of api: TestAPI, become count: Int) async throws {
        for _ in 0..<1_500 where api.replies.relayedFollowers.count != count {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(api.replies.relayedFollowers.count == count)
    }

    /// A reply of `tenant` that no instance runs, followed over a connection of its own in the background,
    /// once `api` counts `followers` such followers: the reply as started, and the follow's answer to come.
    private func followingAReplyNoInstanceRuns(
        _ api: TestAPI, _ client: any TestClientProtocol, as tenant: Tenant, followers: Int = 1
    ) async throws -> (start: ReplyStart, following: Task<LiveRequest.Answer, any Error>) {
        let chat = try await ChatFixture.make(client, tenant, baseURLs: ["http://127.0.0.1:9"])
        let start = try await chat.replyNoInstanceRuns(in: api.db.store, of: tenant)
        let live = LiveRequest(port: try #require(client.port), tenant: tenant)
        let following = Task { try await live.get("/v1/messages/\(start.reply.id.rawValue)/stream") }
        try await followersElsewhere(of: api, become: followers)
        return (start, following)
    }

    /// Without listeners (an instance of a version before the relay), a follower on the other instance
    /// gets the whole text at the reply's end, from the store.
    @Test func aFollowerOnAnotherInstanceGetsTheWholeReplyAtItsEnd() async throws {
        let running = try await TestAPI.make()
        let other = try await TestAPI.make(replySettings: ReplySettings(elsewhereCheckInterval: .milliseconds(100)))
        let owner = try await running.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await running.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                let live = LiveRequest(port: try #require(client.port), tenant: owner)
                let streaming = chat.streamInBackground(live, Self.cancelledReply)
                let replyID = try await chat.runningReply(client, owner)
                let followed = try await other.test(.live) { elsewhere in
                    let follower = LiveRequest(port: try #require(elsewhere.port), tenant: owner)
                    let following = Task { StreamedReply(try await follower.get("/v1/messages/\(replyID)/stream")) }
                    try await followersElsewhere(of: other, become: 1)
                    #expect(try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).status == .ok)
                    return try await following.value
                }
                #expect(followed.names == ["reply.started", "reply.delta", "reply.completed"])
                #expect(try followed.message("reply.started").status == "streaming")
                let reply = try followed.ended()
                #expect(reply.status == "cancelled" && !reply.content.isEmpty && followed.text == reply.content)
                let events = try await streaming.value
                #expect(try ReplyMessage.decode(try #require(events.last).data) == reply)
            }
        }
    }

    /// With both instances listening, the text of a reply running on one reaches a follower on the other
    /// live, in many pieces, through the database; one that joins later gets the text from the start too.
    /// The relay reads the reply's text without following it, so it works as well when every one of the
    /// reply's follower slots is taken on its own instance.
    @Test(arguments: [false, true]) func aFollowerOnAnotherInstanceGetsTheReplyLive(everyLocalSlotTaken: Bool) async throws {
        let running = try await TestAPI.make()
        let other = try await TestAPI.make()
        let owner = try await running.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            try await running.receivingCancels {
                try await other.receivingCancels {
                    try await running.test(.live) { client in
                        let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                        let live = LiveRequest(port: try #require(client.port), tenant: owner)
                        let streaming = chat.streamInBackground(live, Self.cancelledReply)
                        let replyID = try await chat.runningReply(client, owner)
                        var localFollowers: [ReplyFollower] = []
                        if everyLocalSlotTaken {
                            let id = try #require(MessageID(rawValue: replyID))
                            let reply = try #require(running.replies.running.reply(id, of: owner.id))
                            while let follower = await reply.follow() { localFollowers.append(follower) }
                        }
                        let (first, second) = try await other.test(.live) { elsewhere in
                            let follower = LiveRequest(port: try #require(elsewhere.port), tenant: owner)
                            async let first = follower.get("/v1/messages/\(replyID)/stream")
                            try await followersElsewhere(of: other, become: 1)
                            try await Task.sleep(for: .milliseconds(500))
                            async let second = follower.get("/v1/messages/\(replyID)/stream")
                            try await followersElsewhere(of: other, become: 2)
                            // A second of the reply for both, at a piece every 50 ms.
                            try await Task.sleep(for: .seconds(1))
                            #expect(try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).status == .ok)
                            return (StreamedReply(try await first), StreamedReply(try await second))
                        }
                        let events = try await streaming.value
                        #expect(localFollowers.count == (everyLocalSlotTaken ? RunningReply.maximumFollowers - 1 : 0))
                        let stored = try ReplyMessage.decode(try #require(events.last).data)
                        #expect(stored.status == "cancelled" && !stored.content.isEmpty)
                        for followed in [first, second] {
                            // One delta would be the stored end alone; these came while the reply ran.
                            #expect(followed.names.filter { $0 == "reply.delta" }.count >= 3, "\(followed.names)")
                            #expect(followed.names.first == "reply.started" && followed.names.last == "reply.completed")
                            #expect(try followed.message("reply.started").status == "streaming")
                            #expect(followed.text == stored.content)
                            #expect(try followed.ended() == stored)
                        }
                    }
                }
            }
        }
    }

    /// A reply left `streaming` by an instance that stopped (here: one that never ran it).
    @Test func aReplyNoInstanceRunsIsAConflictToCancelAndEndsInterruptedToFollow() async throws {
        let api = try await TestAPI.make(
            replySettings: ReplySettings(
                timeLimit: .milliseconds(300), settlementPatience: .zero, elsewhereCancelWait: .milliseconds(300),
                elsewhereCheckInterval: .milliseconds(100), interruptionMargin: .zero))
        let owner = try await api.makeUser()
        try await api.receivingCancels {
            try await api.test(.live) { client in
                let chat = try await ChatFixture.make(client, owner, baseURLs: ["http://127.0.0.1:9"])
                let start = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
                let replyID = start.reply.id.rawValue
                let cancel = try await client.send(.post, "/v1/messages/\(replyID)/cancel", as: owner)
                #expect(cancel.status == .conflict)
                #expect(cancel.text.contains("settle-interrupted"))
                let followed = StreamedReply(try await client.send(.get, "/v1/messages/\(replyID)/stream", as: owner))
                #expect(followed.names == ["reply.started", "reply.failed"])
                #expect(followed.failureType?.hasSuffix("/reply-interrupted") == true)
            }
        }
    }

    /// A reply whose end is stored a little past its time limit and its settlement's patience (its timer
    /// started after its start committed; its last settlement was under way) reaches its followers as it
    /// ended: they wait the margin the sweep waits before taking it for interrupted.
    @Test func aLateEndWithinTheMarginReachesTheFollowers() async throws {
        let api = try await TestAPI.make(
            replySettings: ReplySettings(
                timeLimit: .milliseconds(300), settlementPatience: .zero, elsewhereCheckInterval: .milliseconds(100),
                interruptionMargin: .seconds(30)))
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let (start, following) = try await followingAReplyNoInstanceRuns(api, client, as: owner)
            try await Task.sleep(for: .seconds(1))
            try await api.db.admin.query(
                "UPDATE agent_messages SET status = 'complete', content = 'late but whole' WHERE id = \(start.reply.id.rawValue)",
                logger: api.db.logger)
            let followed = StreamedReply(try await following.value)
            #expect(followed.names == ["reply.started", "reply.delta", "reply.completed"])
            #expect(followed.text == "late but whole")
        }
    }

    /// One tenant's clients take at most a quarter of the slots for following replies that run on other
    /// instances, so another tenant's client still gets one. The console's chat routes take the same slots.
    @Test func oneTenantTakesAQuarterOfTheSlotsForFollowingElsewhere() async throws {
        var made = try await TestAPI.make(replySettings: ReplySettings(elsewhereCheckInterval: .milliseconds(100)))
        made.configuration.maximumElsewhereFollowers = 4
        made.companions = [try WebConsole()]
        let api = made
        let (owner, other) = (try await api.makeUser(), try await api.makeUser())
        try await api.test(.live) { client in
            var followers: [Task<LiveRequest.Answer, any Error>] = []
            var starts: [(Tenant, ReplyStart)] = []
            for tenant in [owner, other] {
                let (start, following) = try await followingAReplyNoInstanceRuns(
                    api, client, as: tenant, followers: followers.count + 1)
                followers.append(following)
                starts.append((tenant, start))
                if tenant.id == owner.id {
                    let refused = try await client.send(.get, "/v1/messages/\(start.reply.id.rawValue)/stream", as: owner)
                    #expect(refused.status == .tooManyRequests)
                    let browser = ConsoleBrowser(client)
                    try await browser.signIn(owner.token)
                    let alsoRefused = try await browser.request(.get, "/console/api/messages/\(start.reply.id.rawValue)/stream")
                    #expect(alsoRefused.status == .tooManyRequests)
                }
            }
            for (tenant, start) in starts {
                _ = try await api.db.store.withTenant(tenant.id) {
                    try await $0.deleteConversation(agentID: start.agent.id, conversationID: start.reply.conversationID)
                }
            }
            for follower in followers { #expect(try await follower.value.status == 200) }
        }
    }

    /// A followed reply deleted while it runs elsewhere (its conversation deleted) ends its followers with a
    /// `reply.failed` of type `reply-cancelled`, as on the instance that runs it, instead of a cut stream.
    @Test func aFollowedReplyThatIsDeletedEndsItsFollowers() async throws {
        let api = try await TestAPI.make(replySettings: ReplySettings(elsewhereCheckInterval: .milliseconds(100)))
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let (start, following) = try await followingAReplyNoInstanceRuns(api, client, as: owner)
            _ = try await api.db.store.withTenant(owner.id) {
                try await $0.deleteConversation(agentID: start.agent.id, conversationID: start.reply.conversationID)
            }
            let followed = StreamedReply(try await following.value)
            #expect(followed.names == ["reply.started", "reply.failed"])
            #expect(followed.failureType?.hasSuffix("/reply-cancelled") == true)
        }
    }

    /// A reply its instance left streaming long ago is past the time limit already: its follower is told it
    /// was interrupted at the first check, not after the whole limit counted from the follow (6 minutes).
    @Test func aReplyLeftStreamingLongAgoEndsItsFollowersAtOnce() async throws {
        let api = try await TestAPI.make(replySettings: ReplySettings(elsewhereCheckInterval: .milliseconds(100)))
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let chat = try await ChatFixture.make(client, owner, baseURLs: ["http://127.0.0.1:9"])
            let start = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
            try await api.db.admin.query(
                "UPDATE agent_messages SET created_at = now() - interval '1 hour' WHERE id = \(start.reply.id.rawValue)",
                logger: api.db.logger)
            let live = LiveRequest(port: try #require(client.port), tenant: owner)
            let started = ContinuousClock.now
            let followed = StreamedReply(try await live.get("/v1/messages/\(start.reply.id.rawValue)/stream"))
            // At its first checks: a deadline counted from the follow ended it after 360 s.
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(followed.names == ["reply.started", "reply.failed"])
            #expect(followed.failureType?.hasSuffix("/reply-interrupted") == true)
        }
    }

    /// Cancels that wait here for another instance are bounded: with room for one, of two at once one
    /// waits (and gets its 409) and the other is refused at once with a 503 and `Retry-After`.
    @Test func cancelsWaitingOnOtherInstancesAreBounded() async throws {
        let base = try await TestAPI.make(replySettings: ReplySettings(elsewhereCancelWait: .seconds(3)))
        var configuration = base.configuration
        configuration.maximumElsewhereCancels = 1
        let api = TestAPI(db: base.db, registry: base.registry, configuration: configuration, replies: base.replies)
        let owner = try await api.makeUser()
        try await api.test(.live) { client in
            let chat = try await ChatFixture.make(client, owner, baseURLs: ["http://127.0.0.1:9"])
            let start = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
            let live = LiveRequest(port: try #require(client.port), tenant: owner)
            let path = "/v1/messages/\(start.reply.id)/cancel"
            let answers = try await withThrowingTaskGroup(of: LiveRequest.Answer.self) { group in
                for _ in 0..<2 { group.addTask { try await live.post(path) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.map(\.status).sorted() == [409, 503], "\(answers.map(\.text))")
            #expect(answers.first { $0.status == 503 }?.retryAfter == "1")
        }
    }

    /// While the database is away, a follower of a reply running elsewhere waits on instead of losing its
    /// stream, and gets the reply's end once it is back.
    @Test func aFollowerElsewhereWaitsOutTheDatabaseBeingAway() async throws {
        let api = try await TestAPI.make()
        let database = InterruptibleConnections(api.db.runtime)
        let settings = ReplySettings(elsewhereCheckInterval: .milliseconds(50))
        let other = TestAPI(
            db: api.db, registry: api.registry, configuration: api.configuration,
            replies: TestReplies.make(
                store: AgentStore(client: database, keyring: api.db.keyring, logger: api.logger), settings: settings))
        let owner = try await api.makeUser()
        try await other.test(.live) { client in
            let chat = try await ChatFixture.make(client, owner, baseURLs: ["http://127.0.0.1:9"])
            let start = try await chat.replyNoInstanceRuns(in: api.db.store, of: owner)
            let following = Task {
                StreamedReply(try await client.send(.get, "/v1/messages/\(start.reply.id)/stream", as: owner))
            }
            try await Task.sleep(for: .milliseconds(200))
            database.isAway = true
            // Several reads of the follower's fail meanwhile.
            for _ in 0..<100 where database.refusedLeases < 3 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(database.refusedLeases >= 3)
            // The reply's own instance stores its end, and the database comes back.
            let usage = MessageUsage(promptTokens: 1, completionTokens: 1, estimated: false)
            _ = try await api.db.store.withTenant(owner.id) {
                try await $0.settleReply(
                    start.reply.id, call: start.call,
                    ReplySettlement(
                        content: "done", finishReason: "stop",
                        call: CallSettlement(
                            status: .complete, connectionID: nil, usage: usage, latencyMilliseconds: 1,
                            timeToFirstTokenMilliseconds: 1, error: nil)))
            }
            database.isAway = false
            let followed = try await following.value
            #expect(followed.names == ["reply.started", "reply.delta", "reply.completed"])
            #expect(try followed.ended().status == "complete" && followed.text == "done")
        }
    }
}

/// Each instance's listener for the cancels others publish keeps listening through what a database
/// connection meets. Serialized, with a database of its own: its tests stop or kill the listener's backend,
/// which must be theirs.
@Suite(.oneDatabase, .serialized) struct ReplyCancelListenerTests {
    @Test func theListenerComesBackWhenItsConnectionIsKilled() async throws {
        let running = try await TestAPI.make()
        let other = try await TestAPI.make()
        let owner = try await running.makeUser()
        try await ProviderEmulator().withRunning { baseURL in
            let earlier = try await listeningBackends(running.db)
            try await running.receivingCancels {
                let first = try await newListener(running.db, excluding: earlier)
                #expect(try await listenerGauge(running, becomes: 1))
                try await running.db.admin.query("SELECT pg_terminate_backend(\(first))", logger: running.logger)
                _ = try await newListener(running.db, excluding: earlier.union([first]))
                #expect(try await listenerGauge(running, becomes: 1))
                try await running.test(.live) { client in
                    let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                    let live = LiveRequest(port: try #require(client.port), tenant: owner)
                    let streaming = chat.streamInBackground(live, ChatFixture.longReply)
                    let replyID = try await chat.runningReply(client, owner)
                    let cancelled = try await other.test {
                        try ReplyMessage.decode(try await $0.send(.post, "/v1/messages/\(replyID)/cancel", as: owner).text)
                    }
                    #expect(cancelled.status == "cancelled")
                    _ = try await streaming.value
                }
            }
        }
    }

    /// A reply deleted while this instance's listener was away (the deletion's one cancel unheard, as when
    /// another instance deleted it then) is stopped once the listener is back, not run on to its end, billed.
    @Test func aReplyDeletedWhileTheListenerWasAwayIsStoppedWhenItComesBack() async throws {
        let running = try await TestAPI.make()
        let owner = try await running.makeUser()
        let emulator = ProviderEmulator()
        try await emulator.withRunning { baseURL in
            let earlier = try await listeningBackends(running.db)
            try await running.receivingCancels {
                let first = try await newListener(running.db, excluding: earlier)
                #expect(try await listenerGauge(running, becomes: 1))
                try await running.test(.live) { client in
                    let chat = try await ChatFixture.make(client, owner, baseURLs: [baseURL])
                    let live = LiveRequest(port: try #require(client.port), tenant: owner)
                    // Ten seconds of reply: it would end on its own long after the listener is back.
                    let reply = "[emulator chunks=100 delay_ms=100]\n" + String(repeating: "word ", count: 100)
                    let streaming = chat.streamInBackground(live, reply)
                    _ = try await chat.runningReply(client, owner)
                    // Deleted with no cancel published, then the listener's connection cut.
                    try await running.db.admin.query(
                        "DELETE FROM agent_messages WHERE conversation_id = 'c1' AND owner_id = \(owner.id.rawValue)",
                        logger: running.logger)
                    try await running.db.admin.query("SELECT pg_terminate_backend(\(first))", logger: running.logger)
                    _ = try await streaming.value
                    #expect(try await emulator.streamsClosedEarlyOnceSeen() == 1)
                }
            }
        }
    }

    /// Whether `/metrics` shows the cancel listener's gauge at `value` within 2 s.
    private func listenerGauge(_ api: TestAPI, becomes value: Double) async throws -> Bool {
        for _ in 0..<100 {
            let line = try await api.metricsText().split(separator: "\n").first {
                $0.hasPrefix("reply_cancel_listener_connected ")
            }
            if let line, Double(line.dropFirst("reply_cancel_listener_connected ".count)) == value { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The backends listening for reply cancels in `db`.
    ///
    /// Not this query's own text, which names the check: another connection of the administrator's pool,
    /// whose last statement was this query, once matched, and a CI rehearsal stopped that connection with
    /// SIGSTOP in place of the listener's. The next query leased it and waited for ever.
    private func listeningBackends(_ db: TestDatabase) async throws -> Set<Int32> {
        let rows = try await db.admin.query(
            """
            SELECT pid FROM pg_stat_activity
             WHERE datname = \(db.name) AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_stat_activity%'
               AND (query ILIKE 'LISTEN%' OR query LIKE '%reply_cancel_listener_alive%')
            """, logger: db.logger)
        var pids = Set<Int32>()
        for try await pid in rows.decode(Int32.self) { pids.insert(pid) }
        return pids
    }

    /// A backend whose last statement was the listener's (its `LISTEN` or its check), other than `earlier`
    /// (5 s at most). A pooled connection that listened before may still show one: the suite is serialized,
    /// and each test names those it saw before its listener started.
    private func newListener(_ db: TestDatabase, excluding earlier: Set<Int32>) async throws -> Int32 {
        for _ in 0..<250 {
            if let pid = try await listeningBackends(db).subtracting(earlier).first { return pid }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CancellationError()
    }
    /// A server that stops answering without closing the connection (a partition, a frozen host; here
    /// the backend stopped with SIGSTOP) is noticed by the listener's check, which listens anew.
    @Test func aListenerWhoseServerFallsSilentListensAnew() async throws {
        let api = try await TestAPI.make()
        let earlier = try await listeningBackends(api.db)
        let receiving = Task {
            await api.db.store.receiveReplyCancels(aliveCheck: .milliseconds(200), aliveTimeout: .milliseconds(500)) { _ in }
        }
        let silent = try await newListener(api.db, excluding: earlier)
        // While the server answers, the checks (five a second) pass and the listener keeps its connection.
        try await Task.sleep(for: .seconds(1))
        #expect(try await listeningBackends(api.db).subtracting(earlier) == [silent])
        #expect(kill(pid_t(silent), SIGSTOP) == 0)
        let replacement: Int32?
        do { replacement = try await newListener(api.db, excluding: earlier.union([silent])) } catch { replacement = nil }
        kill(pid_t(silent), SIGCONT)
        receiving.cancel()
        await receiving.value
        #expect(replacement != nil && replacement != silent)
    }
}

/// A test's database connections that refuse every lease with `StoreError.unavailable` while `isAway`, as
/// the server's pool does while the database is down.
final class InterruptibleConnections: DatabaseConnections {
    private let base: PostgresClient
    private let state = Mutex((away: false, refused: 0))

    init(_ base: PostgresClient) { self.base = base }

    var isAway: Bool {
        get { state.withLock { $0.away } }
        set { state.withLock { $0.away = newValue } }
    }

    var refusedLeases: Int { state.withLock { $0.refused } }

    func withLeasedConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let away = state.withLock { state in
            if state.away { state.refused += 1 }
            return state.away
        }
        if away { throw StoreError.unavailable(reason: "the test took the database away") }
        return try await base.withLeasedConnection(body)
    }

    func withDedicatedConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws
        -> Result
    {
        try await base.withDedicatedConnection(body)
    }
}
