import AgentStore
import Foundation
import Logging

/// `agentctl bench api`: over HTTP with many tenants' tokens, (a) `GET` of a 50-message conversation
/// page and (b) `POST` of a message; and (c) the same store transactions straight through PostgreSQL
/// (token check, then the page or the append), at the same concurrency, in one run.
public struct APIBenchmark: Sendable {
    public var clients = 8
    public var seconds = 10.0
    /// (a), (c) and (d) alternate this many times, each round printed with its ratio.
    public var rounds = 4
    /// How long each of (a), (c) and (d) runs at a time within a round: a shared machine's speed changes
    /// within seconds, and phases interleaved that finely fall on the same spells, which a phase's seconds
    /// in one piece did not (rounds of one run ranged from 0.77 to 0.94).
    public var slice = 0.5
    /// Called before each phase: true before the store is driven directly, false before HTTP load. `bench
    /// api --placement split` moves its own process there, so that the store run in place of the server
    /// gets the server's cores and the load generator stays off them.
    public var placeThisProcess: @Sendable (_ asPlatform: Bool) -> Void = { _ in }
    let host: String
    let port: Int
    /// Tenant number (1-based, as in the dataset) and its token.
    let tokens: [(user: Int, token: String)]
    let dataset: BenchmarkDataset
    let store: AgentStore

    public init(host: String, port: Int, tokens: [(user: Int, token: String)], dataset: BenchmarkDataset, store: AgentStore) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.dataset = dataset
        self.store = store
    }

    /// Runs the three phases and returns the report lines, the last `ratio=X.XX`; `peakMemory` is read after the HTTP phases (the server's high-water mark).
    public func run(peakMemory: @Sendable () -> String) async throws -> [String] {
        // Warm the server, the pools and PostgreSQL's cache first, then alternate (a) and (c) (see `rounds`).
        let readPage: @Sendable (Int, String) -> [UInt8] = { self.pageRequest(user: $0, token: $1) }
        let readPageDirectly: @Sendable (Int, String) async throws -> Void = {
            try await self.readPageDirectly(user: $0, token: $1)
        }
        let readPageInTwo: @Sendable (Int, String) async throws -> Void = {
            try await self.readPageInTwoTransactions(user: $0, token: $1)
        }
        // The load's connections stay open from phase to phase: a turn of (a) is not one of connecting.
        let connections = try (0..<clients).map { _ in try HTTPLoadConnection(host: host, port: port) }
        placeThisProcess(false)
        _ = try await overHTTP(for: 3, readPage, expecting: 200, on: connections)
        placeThisProcess(true)
        _ = try await directly(for: 3, readPageDirectly)
        var pages = LatencyRecorder()
        var direct = LatencyRecorder()
        var directInTwo = LatencyRecorder()
        var roundLines: [String] = []
        let passes = max(1, Int((seconds / Double(rounds) / slice).rounded()))
        let turn = seconds / Double(rounds * passes)
        for round in 1...rounds {
            var roundPages = LatencyRecorder()
            var roundDirect = LatencyRecorder()
            var roundInTwo = LatencyRecorder()
            // Every other pass runs backwards, so that a steady drift weighs the same on each phase.
            for pass in 0..<passes {
                let forwards = pass.isMultiple(of: 2)
                if forwards {
                    placeThisProcess(false)
                    roundPages.merge(try await overHTTP(for: turn, readPage, expecting: 200, on: connections))
                }
                placeThisProcess(true)
                let first = try await directly(for: turn, forwards ? readPageDirectly : readPageInTwo)
                let second = try await directly(for: turn, forwards ? readPageInTwo : readPageDirectly)
                roundDirect.merge(forwards ? first : second)
                roundInTwo.merge(forwards ? second : first)
                if !forwards {
                    placeThisProcess(false)
                    roundPages.merge(try await overHTTP(for: turn, readPage, expecting: 200, on: connections))
                }
            }
            roundLines.append(
                String(
                    format: "round %d: (a) %.0f req/s, (c) %.0f req/s, (d) %.0f req/s, ratio %.2f", round, roundPages.perSecond,
                    roundDirect.perSecond, roundInTwo.perSecond, roundPages.perSecond / roundDirect.perSecond))
            pages.merge(roundPages)
            direct.merge(roundDirect)
            directInTwo.merge(roundInTwo)
        }
        placeThisProcess(false)
        let posts = try await overHTTP(
            for: seconds, { self.postRequest(user: $0, token: $1) }, expecting: 201, on: connections)
        let memory = peakMemory()
        let ratio = pages.perSecond / direct.perSecond
        return [
            "clients=\(clients) seconds=\(Int(seconds)) per phase, \(tokens.count) tenants' tokens"
        ] + roundLines + [
            pages.summary("(a) HTTP GET 50-message page"),
            posts.summary("(b) HTTP POST message"),
            direct.summary("(c) direct store, token check and page in one transaction (as the server)"),
            directInTwo.summary("(d) direct store, token check and page in a transaction each (before)"),
            String(format: "one_transaction_gain=%.2f ((c) over (d))", direct.perSecond / directInTwo.perSecond),
            "server_peak_rss=\(memory)",
            String(format: "ratio=%.2f", ratio),
        ]
    }

    /// Whether a server answers `GET /health` with 200.
    public static func isHealthy(host: String, port: Int) -> Bool {
        let request = Array("GET /health HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8)
        return (try? HTTPLoadConnection(host: host, port: port).send(request)) == 200
    }

    // MARK: Requests

    func pageRequest(user: Int, token: String) -> [UInt8] {
        let (agent, conversation) = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        return Array(
            """
            GET /v1/agents/\(agent)/conversations/\(conversation)/messages?limit=50 HTTP/1.1\r
            Host: \(host)\r
            Authorization: Bearer \(token)\r
            \r

            """.utf8)
    }

    func postRequest(user: Int, token: String) -> [UInt8] {
        let (agent, _) = dataset.conversation(user: user, index: 0)
        let body = #"{"role":"user","content":"benchmark message, about sixty characters of text here."}"#
        return Array(
            """
            POST /v1/agents/\(agent)/conversations/bench-\(user % 7)/messages HTTP/1.1\r
            Host: \(host)\r
            Authorization: Bearer \(token)\r
            Content-Type: application/json\r
            Content-Length: \(body.utf8.count)\r
            \r
            \(body)
            """.utf8)
    }

    /// What the page read does in the server, without HTTP: one transaction that checks the token with
    /// its first statement, then reads the page.
    private func readPageDirectly(user: Int, token: String) async throws {
        guard let presented = PresentedToken(token) else { throw BenchmarkFailure("token refused") }
        let (agent, conversation) = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        _ = try await store.withTenant(presenting: presented) {
            try await $0.messages(agentID: agent, conversationID: conversation, PageRequest(limit: 50, order: .ascending))
        }
    }

    /// The page read as the server did it before, in two transactions: the token check, then the page.
    private func readPageInTwoTransactions(user: Int, token: String) async throws {
        guard let userID = try await store.authenticate(token: token) else { throw BenchmarkFailure("token refused") }
        let (agent, conversation) = dataset.conversation(user: user, index: Int.random(in: 0..<dataset.conversationsPerTenant))
        _ = try await store.withTenant(userID) {
            try await $0.messages(agentID: agent, conversationID: conversation, PageRequest(limit: 50, order: .ascending))
        }
    }

    // MARK: Phases

    /// Each of `connections` on its own thread with blocking sockets (see ``HTTPLoadConnection``).
    private func overHTTP(
        for seconds: Double, _ request: @escaping @Sendable (Int, String) -> [UInt8], expecting status: Int,
        on connections: [HTTPLoadConnection]
    ) async throws -> LatencyRecorder {
        try await phase { worker in
            try await Self.onThread {
                let connection = connections[worker]
                var recorder = LatencyRecorder()
                let deadline = ContinuousClock.now + .seconds(seconds)
                while ContinuousClock.now < deadline {
                    let (user, token) = tokens.randomElement()!
                    let bytes = request(user, token)
                    let start = ContinuousClock.now
                    let code = try connection.send(bytes)
                    recorder.record(ContinuousClock.now - start)
                    guard code == status else { throw BenchmarkFailure("\(status) expected, the server answered \(code)") }
                }
                return recorder
            }
        }
    }

    /// `clients` tasks calling the store.
    private func directly(
        for seconds: Double, _ request: @escaping @Sendable (Int, String) async throws -> Void
    ) async throws -> LatencyRecorder {
        try await phase { _ in
            var recorder = LatencyRecorder()
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                let (user, token) = tokens.randomElement()!
                let start = ContinuousClock.now
                try await request(user, token)
                recorder.record(ContinuousClock.now - start)
            }
            return recorder
        }
    }

    /// `clients` workers, numbered from 0, until the deadline; the recorder holds every request's latency.
    private func phase(_ worker: @escaping @Sendable (Int) async throws -> LatencyRecorder) async throws -> LatencyRecorder {
        let start = ContinuousClock.now
        var total = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for number in 0..<clients { group.addTask { try await worker(number) } }
            return try await group.reduce(into: LatencyRecorder()) { $0.merge($1) }
        }
        total.seconds = (ContinuousClock.now - start).seconds
        return total
    }

    /// Runs `body` on a thread of its own, where blocking calls hold up nothing else.
    static func onThread<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
