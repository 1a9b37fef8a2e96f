import Foundation

/// `agentctl bench chat`: streamed chat completions through the platform (`POST /v1/chat/completions`
/// with `"model": "agent:<id>"`) against the same completions asked of the provider emulator directly, in
/// alternating rounds at the same concurrency, with the same client.
///
/// What the difference measures is the platform's cost per completion: the token check, the agent and its
/// key read and opened, the call ledger's two short transactions, the provider call and the re-encoded
/// events. Time to first token and total time cannot be paired request by request, so the added times are
/// differences of the two sides' percentiles.
public struct ChatBenchmark: Sendable {
    /// Streams open at once on each side.
    public var concurrency = 64
    /// The sides alternate this many times, so that a slow spell of a shared machine falls on both.
    public var rounds = 4
    /// Seconds per side per round, unless `requests` is set.
    public var seconds = 5.0
    /// Completions per side per round, instead of `seconds`.
    public var requests: Int?

    let host: String
    let platformPort: Int
    let emulatorPort: Int
    let platformRequest: [UInt8]
    let directRequest: [UInt8]

    /// - Parameters:
    ///   - token: the bench user's personal API token, for the platform.
    ///   - agentID: the agent whose linked connection points at the emulator.
    ///   - model, systemPrompt: the agent's, so that the direct request is the one the platform sends.
    ///   - providerKey: the key the direct side presents to the emulator (any key is accepted).
    public init(
        host: String, platformPort: Int, emulatorPort: Int, token: String, agentID: String, model: String, systemPrompt: String,
        providerKey: String
    ) throws {
        self.host = host
        self.platformPort = platformPort
        self.emulatorPort = emulatorPort
        let prompt = #"{"role":"user","content":"Write a short benchmark reply."}"#
        let streaming = #""stream":true,"stream_options":{"include_usage":true}"#
        platformRequest = Self.post(
            host: host, port: platformPort, token: token,
            body: #"{"model":"agent:\#(agentID)",\#(streaming),"messages":[\#(prompt)]}"#)
        let system = String(decoding: try JSONEncoder().encode(systemPrompt), as: UTF8.self)
        directRequest = Self.post(
            host: host, port: emulatorPort, token: providerKey,
            body: #"{"model":"\#(model)",\#(streaming),"messages":[{"role":"system","content":\#(system)},\#(prompt)]}"#)
    }

    /// CPU seconds used so far by each party of a run; nil where it cannot be read.
    public struct CPUReading: Sendable {
        /// This process: the load generator and the emulator.
        public var load: Double?
        public var server: Double?
        public var database: Double?

        public init(load: Double?, server: Double?, database: Double?) {
            self.load = load
            self.server = server
            self.database = database
        }

        /// What each party used between `earlier` and this reading.
        func since(_ earlier: CPUReading) -> CPUReading { combined(with: earlier, by: -) }

        func adding(_ other: CPUReading) -> CPUReading { combined(with: other, by: +) }

        /// Each party's reading with `other`'s; unknown where either is.
        private func combined(with other: CPUReading, by operation: (Double, Double) -> Double) -> CPUReading {
            func each(_ mine: Double?, _ theirs: Double?) -> Double? {
                guard let mine, let theirs else { return nil }
                return operation(mine, theirs)
            }
            return CPUReading(
                load: each(load, other.load), server: each(server, other.server), database: each(database, other.database))
        }

        static let zero = CPUReading(load: 0, server: 0, database: 0)
    }

    /// Warms both sides, runs the rounds and returns the report lines, the last `ratio=X.XX`; `peakMemory`
    /// is read after the last platform phase (the server's high-water mark), `cpu` around every phase.
    public func run(peakMemory: @Sendable () -> String, cpu: @Sendable () -> CPUReading) async throws -> [String] {
        // Connections, pools, the emulator and PostgreSQL's cache warm before anything counts.
        _ = try await phase(port: platformPort, request: platformRequest, seconds: 1, requests: nil)
        _ = try await phase(port: emulatorPort, request: directRequest, seconds: 1, requests: nil)
        var platform = ChatBenchmarkPhase()
        var direct = ChatBenchmarkPhase()
        var lines = [
            "concurrency=\(concurrency) rounds=\(rounds) "
                + (requests.map { "requests=\($0)" } ?? String(format: "seconds=%g", seconds)) + " per side per round"
        ]
        var platformCPU = CPUReading.zero
        var directCPU = CPUReading.zero
        for round in 1...rounds {
            let beforePlatform = cpu()
            let roundPlatform = try await phase(
                port: platformPort, request: platformRequest, seconds: seconds, requests: requests)
            let beforeDirect = cpu()
            platformCPU = platformCPU.adding(beforeDirect.since(beforePlatform))
            let roundDirect = try await phase(port: emulatorPort, request: directRequest, seconds: seconds, requests: requests)
            directCPU = directCPU.adding(cpu().since(beforeDirect))
            lines.append(
                String(
                    format: "round %d: platform %.0f completions/s, direct %.0f completions/s, ratio %.2f", round,
                    roundPlatform.completionsPerSecond, roundDirect.completionsPerSecond,
                    roundPlatform.completionsPerSecond / roundDirect.completionsPerSecond))
            platform.merge(roundPlatform)
            direct.merge(roundDirect)
        }
        let memory = peakMemory()
        let added = { (side: KeyPath<ChatBenchmarkPhase, LatencyRecorder>, fraction: Double) in
            platform[keyPath: side].percentile(fraction) - direct[keyPath: side].percentile(fraction)
        }
        return lines + [
            platform.summary("platform"),
            direct.summary("direct"),
            String(
                format: "added_first_token p50 %.2f ms, p99 %.2f ms (targets: at most 2 and 10 ms)", added(\.firstToken, 0.5),
                added(\.firstToken, 0.99)),
            String(format: "added_total p50 %.2f ms, p99 %.2f ms", added(\.total, 0.5), added(\.total, 0.99)),
            String(
                format: "completions/s: platform %.0f, direct %.0f", platform.completionsPerSecond, direct.completionsPerSecond),
            "cpu_ms_per_completion platform: "
                + Self.perCompletion(platformCPU, completions: platform.firstToken.milliseconds.count, parties: true)
                + "; direct: " + Self.perCompletion(directCPU, completions: direct.firstToken.milliseconds.count, parties: false),
            "server_peak_rss=\(memory)",
            String(format: "ratio=%.2f", platform.completionsPerSecond / direct.completionsPerSecond),
        ]
    }

    /// CPU milliseconds per completion of each party that used any: the server and PostgreSQL only on the
    /// platform's side (on the direct side they idle).
    private static func perCompletion(_ used: CPUReading, completions: Int, parties: Bool) -> String {
        let share = { (seconds: Double?) in
            seconds.map { String(format: "%.2f", $0 * 1000 / Double(max(1, completions))) } ?? "unknown"
        }
        var line = "load generator and emulator \(share(used.load))"
        if parties { line += ", server \(share(used.server)), postgres \(share(used.database))" }
        return line
    }

    // MARK: Phases

    /// `concurrency` connections, each on its own thread with blocking sockets, streaming one completion
    /// after another until `seconds` have passed or, with `requests`, until their share of them is done.
    private func phase(port: Int, request: [UInt8], seconds: Double, requests: Int?) async throws -> ChatBenchmarkPhase {
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let concurrency = self.concurrency
        let host = self.host
        var total = try await withThrowingTaskGroup(of: ChatBenchmarkPhase.self) { group in
            for worker in 0..<concurrency {
                // With `requests`, the first `requests % concurrency` workers take one more.
                let quota = requests.map { $0 / concurrency + (worker < $0 % concurrency ? 1 : 0) }
                if quota == 0 { continue }
                group.addTask {
                    try await Self.onThread {
                        let connection = try ChatBenchmarkConnection(host: host, port: port)
                        var recorded = ChatBenchmarkPhase()
                        var done = 0
                        while quota.map({ done < $0 }) ?? (ContinuousClock.now < deadline) {
                            recorded.record(try connection.stream(request))
                            done += 1
                        }
                        return recorded
                    }
                }
            }
            return try await group.reduce(into: ChatBenchmarkPhase()) { $0.merge($1) }
        }
        total.setSeconds((ContinuousClock.now - start).seconds)
        return total
    }

    /// Runs `body` on a thread of its own, where blocking calls hold up nothing else.
    private static func onThread<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }

    // MARK: Requests

    private static func post(host: String, port: Int, token: String, body: String) -> [UInt8] {
        Array(
            """
            POST /v1/chat/completions HTTP/1.1\r
            Host: \(host):\(port)\r
            Authorization: Bearer \(token)\r
            Content-Type: application/json\r
            Accept: text/event-stream\r
            Content-Length: \(body.utf8.count)\r
            \r
            \(body)
            """.utf8)
    }
}
