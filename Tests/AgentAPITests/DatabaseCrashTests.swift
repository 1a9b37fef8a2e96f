import AgentAPI
import AgentStore
import AgentTestSupport
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import LocalPostgres
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO
import Prometheus
import Synchronization
import Testing

/// The database server killed with SIGKILL under write load, as a crash or an operator's `kill -9`
/// would: the platform answers 503 quickly while it is gone, serves again by itself once it is back,
/// and loses no write it acknowledged.
///
/// The cluster is the suite's own (the shared test cluster serves every other suite), and the server
/// side is what `agentctl serve` runs: `PersistentConnectionPool` under the store.
@Suite(.serialized) struct DatabaseCrashTests {
    /// How a post ended, and when (seconds since the run began).
    struct Post: Sendable {
        let status: Int?
        let messageID: String?
        let sent: Double
        let took: Double
    }

    @Test func acknowledgedPostsSurviveAKilledDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appending(path: "agent-platform-crash-\(getpid())-\(UUID().uuidString.prefix(6))", directoryHint: .isDirectory)
        let cluster = try LocalCluster(
            folder: folder, binDirectory: TestDatabase.clusterBinDirectory, clientRoles: [PlatformDatabase.runtimeLogin],
            durable: true)
        let endpoint = try await cluster.start()
        do {
            try await Self.crashUnderWriteLoad(cluster, endpoint)
        } catch {
            try? await cluster.remove()
            throw error
        }
        try await cluster.remove()
    }

    private static func crashUnderWriteLoad(_ cluster: LocalCluster, _ endpoint: LocalCluster.Endpoint) async throws {
        var logger = Logger(label: "test.crash")
        logger.logLevel = .critical

        // Set up with a short-lived client, gone before the crash: only the server's pool sees it.
        let adminURL = try DatabaseURL(
            try DatabaseURL(endpoint.url(user: endpoint.superuser, database: "postgres")).replacing(database: "crash"))
        _ = try await PlatformDatabase.create(
            "crash", admin: try DatabaseURL(endpoint.url(user: endpoint.superuser, database: "postgres")), logger: logger)
        try await PostgresClient.withRunning(adminURL.clientConfiguration(maxConnections: 2), logger: logger) {
            try await PlatformDatabase.migrateAndEnsureRuntimeLogin(admin: $0, logger: logger)
        }
        let runtimeURL = try DatabaseURL(adminURL.replacing(user: PlatformDatabase.runtimeLogin))
        var settings = PersistentConnectionPool.Settings(size: 4)
        settings.connectTimeout = .seconds(2)
        let pool = PersistentConnectionPool(
            configuration: try runtimeURL.connectionConfiguration(), settings: settings,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let store = AgentStore(client: pool, keyring: TestDatabase.testKeyring, logger: logger)
        let app = try await buildApplication(
            store: store, replies: TestReplies.make(store: store),
            configuration: APIConfiguration(hostname: "127.0.0.1", port: 0),
            services: [pool], companions: [], registry: PrometheusCollectorRegistry(), logger: logger)

        try await app.test(.live) { client in
            let port = try #require(client.port)
            let user = try await store.createUser(NewUser(email: "crash-\(UUID().uuidString.prefix(8))@example.test")).id
            let token = try await store.withTenant(user) { try await $0.createToken(name: "crash") }.value
            let agent = try await store.withTenant(user) { try await $0.createAgent(NewAgent(name: "a", systemPrompt: "p")) }.id
            let target = "http://127.0.0.1:\(port)/v1/agents/\(agent.rawValue)/conversations/crash/messages"

            let timeline = CrashTimeline()
            let posts = try await withThrowingTaskGroup(of: [Post].self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        try await Self.write(TestReplies.httpClient, target, token: token, writer: writer, timeline: timeline)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(1.5))
                    guard case .running(let postmaster) = cluster.status() else { throw CrashTestError.notRunning }
                    Self.killProcessTree(postmaster)
                    timeline.mark(.killed)
                    try await Task.sleep(for: .seconds(3))
                    timeline.mark(.restarting)
                    _ = try await cluster.start()
                    timeline.mark(.back)
                    return []
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }

            let killed = try #require(timeline.time(of: .killed))
            let back = try #require(timeline.time(of: .back))
            let acknowledged = posts.filter { $0.status == 201 }
            #expect(acknowledged.contains { $0.sent < killed }, "posts were written before the crash")
            // Nothing but 201 or 503, each answered in bounded time (no hang until the client gives up).
            let unexpected = posts.filter { $0.status != 201 && $0.status != 503 }
            #expect(unexpected.isEmpty, "statuses: \(Set(unexpected.map { $0.status.map(String.init) ?? "no answer" }))")
            // Down until it is started again: once started, it takes connections before `start` returns.
            let restarting = try #require(timeline.time(of: .restarting))
            let whileDown = posts.filter { $0.sent > killed + 0.5 && $0.sent + $0.took < restarting }
            #expect(!whileDown.isEmpty && whileDown.allSatisfy { $0.status == 503 })
            // (Measured here: 84 ms at most; the bound leaves room for a loaded machine.)
            #expect((whileDown.map(\.took).max() ?? 0) < 1.5, "a request while the database was down waited too long")
            // Serves again within 10 s of the database's return, without a restart of the platform. (About 2 s
            // alone: the pool's backoff; 6.5 s was seen once with the whole suite loading a slower machine.)
            let recovered = try #require(acknowledged.filter { $0.sent > back }.map { $0.sent + $0.took }.min())
            #expect(recovered - back < 10)

            // Every acknowledged post is there.
            let storedIDs = Set(
                try await store.withTenant(user) { session in
                    try await PageWalk.forward { after in
                        let page = try await session.messages(
                            agentID: agent, conversationID: ConversationID(stored: "crash"),
                            PageRequest(limit: 100, cursor: after.map { .after($0) }, order: .ascending))
                        return PageWalk.Step(page, id: \.id.rawValue)
                    }
                })
            let lost = acknowledged.compactMap(\.messageID).filter { !storedIDs.contains($0) }
            #expect(lost.isEmpty, "\(lost.count) acknowledged posts are missing")
        }
    }

    /// Posts one message after another until 6 s after the database is back (or a bound, should it never
    /// come back), pausing briefly after a failure as a client would.
    static func write(_ http: HTTPClient, _ target: String, token: String, writer: Int, timeline: CrashTimeline) async throws
        -> [Post]
    {
        var posts: [Post] = []
        var number = 0
        while timeline.now < 40, timeline.time(of: .back).map({ timeline.now < $0 + 12 }) ?? true {
            number += 1
            let sent = timeline.now
            let outcome = await post(http, target, token: token, content: "writer \(writer) post \(number)")
            posts.append(Post(status: outcome.status, messageID: outcome.id, sent: sent, took: timeline.now - sent))
            if outcome.status != 201 { try await Task.sleep(for: .milliseconds(20)) }
        }
        return posts
    }

    /// One post with its own timeout: the status and the stored message's id, or no status when the
    /// request failed without an answer.
    static func post(_ http: HTTPClient, _ url: String, token: String, content: String) async -> (status: Int?, id: String?) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"role": "user", "content": "\#(content)"}"#))
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            // A stored message, or a problem (a 503 while the database is away).
            let data = Data(body.readableBytesView)
            guard response.status == .created else {
                _ = try Contract.decoder().decode(Schemas.Problem.self, from: data)
                return (Int(response.status.code), nil)
            }
            return (Int(response.status.code), try Contract.decoder().decode(Schemas.Message.self, from: data).id)
        } catch {
            return (nil, nil)
        }
    }

    /// SIGKILL to the postmaster and every process it started: the server crashes as a whole.
    static func killProcessTree(_ postmaster: Int32) {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after the command's closing parenthesis: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == postmaster ? pid : nil
        }
        kill(postmaster, SIGKILL)
        for child in children ?? [] { kill(child, SIGKILL) }
    }
}

enum CrashTestError: Error {
    case notRunning
}

/// Seconds since the run began, and when the database was killed, started again and back.
final class CrashTimeline: Sendable {
    enum Event { case killed, restarting, back }

    private let start = ContinuousClock.now
    private let events = Mutex<[Event: Double]>([:])

    var now: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    func mark(_ event: Event) {
        let time = now
        events.withLock { $0[event] = time }
    }

    func time(of event: Event) -> Double? { events.withLock { $0[event] } }
}
