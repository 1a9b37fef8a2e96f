import Foundation

/// `agentctl bench chat`: streamed chat completions through the platform (`POST /v1/chat/completions`
/// with `"model": "agent:<id>"`) against the same completions asked of the provider emulator directly, in
/// alternating rounds at the same concurrency, with the same client.
///
/// What the difference measures is the platform's cost per completion: the token check, the agent and its
/// key read and opened, the call ledger's two short transactions, the provider call and the re-encoded
/// events. Time to first token and total time cannot be paired request by request, so the added times are
/// differences of the two sides' percentiles.
///
/// Two measurements, each of `rounds` alternating rounds:
/// - **throughput**: the emulator streams as fast as the script says (by default far faster than any
///   provider), so both sides run as many completions as their cores allow; their ratio is the last line.
///   Its times to first token are those of a saturated core: a queue, whatever the platform adds.
/// - **latency**: the emulator streams at a provider's pace (`pacedDelay` before each piece), so the same
///   streams leave the platform's cores partly idle, as a deployment runs; the added times to first token
///   come from here.
public struct ChatBenchmark: Sendable {
    /// Streams open at once on each side.
    public var concurrency = 64
    /// The sides alternate this many times, so that a slow spell of a shared machine falls on both.
    public var rounds = 4
    /// Seconds per side per round, unless `requests` is set.
    public var seconds = 5.0
    /// Completions per side per round, instead of `seconds`.
    public var requests: Int?
    /// The emulator's pieces per reply and its delay before each in the throughput measurement, as its
    /// script says (the streams of a phase start spread over one reply's length, see ``phase``).
    public var pieces = 20
    public var delay = Duration.milliseconds(5)
    /// The delay before each piece in the latency measurement: a provider's pace (nil: no latency measurement).
    public var pacedDelay: Duration? = .milliseconds(50)

    let host: String
    let platformPort: Int
    let emulatorPort: Int
    let token: String
    let agentID: String
    let model: String
    let systemPrompt: String
    let providerKey: String

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
        self.token = token
        self.agentID = agentID
        self.model = model
        self.systemPrompt = systemPrompt
        self.providerKey = providerKey
    }

    /// The same completion asked of the platform and of the emulator directly; with `delay`, its prompt
    /// carries the emulator's directive for that pace.
    func requests(delay: Duration?) throws -> (platform: [UInt8], direct: [UInt8]) {
        let text = (delay.map { "[emulator delay_ms=\(Self.milliseconds($0))]\n" } ?? "") + "Write a short benchmark reply."
        let prompt = #"{"role":"user","content":\#(try Self.json(text))}"#
        let streaming = #""stream":true,"stream_options":{"include_usage":true}"#
        let platform = Self.post(
            host: host, port: platformPort, token: token,
            body: #"{"model":"agent:\#(agentID)",\#(streaming),"messages":[\#(prompt)]}"#)
        let direct = Self.post(
            host: host, port: emulatorPort, token: providerKey,
            body:
                #"{"model":"\#(model)",\#(streaming),"messages":[{"role":"system","content":\#(try Self.json(systemPrompt))},\#(prompt)]}"#
        )
        return (platform, direct)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private static func json(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
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

    /// What one measurement's rounds recorded.
    private struct Measurement {
        var platform = ChatBenchmarkPhase()
        var direct = ChatBenchmarkPhase()
        var platformCPU = CPUReading.zero
        var directCPU = CPUReading.zero
        var lines: [String] = []

        /// The platform's percentile less the direct side's.
        func added(_ side: KeyPath<ChatBenchmarkPhase, LatencyRecorder>, _ fraction: Double) -> Double {
            platform[keyPath: side].percentile(fraction) - direct[keyPath: side].percentile(fraction)
        }

        func addedLine(_ name: String, _ side: KeyPath<ChatBenchmarkPhase, LatencyRecorder>) -> String {
            String(format: "%@ p50 %.2f ms, p99 %.2f ms", name, added(side, 0.5), added(side, 0.99))
        }

        var ratio: Double { platform.completionsPerSecond / direct.completionsPerSecond }
    }

    /// Warms both sides, runs the throughput and then the latency measurement and returns the report
    /// lines, the last `ratio=X.XX` (of the throughput measurement); `peakMemory` is read at the end (the
    /// server's high-water mark), `cpu` around every phase.
    public func run(peakMemory: @Sendable () -> String, cpu: @Sendable () -> CPUReading) async throws -> [String] {
        let fast = try requests(delay: nil)
        // Connections, pools, the emulator and PostgreSQL's cache warm before anything counts.
        _ = try await phase(port: platformPort, request: fast.platform, seconds: 1, requests: nil, spread: .zero)
        _ = try await phase(port: emulatorPort, request: fast.direct, seconds: 1, requests: nil, spread: .zero)
        var lines = [
            "concurrency=\(concurrency) rounds=\(rounds) "
                + (requests.map { "requests=\($0)" } ?? String(format: "seconds=%g", seconds)) + " per side per round"
        ]
        lines.append("throughput: \(pieces) pieces, \(Self.milliseconds(delay)) ms before each")
        let throughput = try await measure(fast, spread: delay * pieces, cpu: cpu)
        lines +=
            throughput.lines + [
                throughput.platform.summary("platform"),
                throughput.direct.summary("direct"),
                throughput.addedLine("added_first_token at saturation (a queue)", \.firstToken),
                String(
                    format: "completions/s: platform %.0f, direct %.0f", throughput.platform.completionsPerSecond,
                    throughput.direct.completionsPerSecond),
                "cpu_ms_per_completion platform: "
                    + Self.perCompletion(
                        throughput.platformCPU, completions: throughput.platform.firstToken.milliseconds.count, parties: true)
                    + "; direct: "
                    + Self.perCompletion(
                        throughput.directCPU, completions: throughput.direct.firstToken.milliseconds.count, parties: false),
            ]
        if let pacedDelay {
            lines.append("latency: \(pieces) pieces, \(Self.milliseconds(pacedDelay)) ms before each (a provider's pace)")
            let latency = try await measure(try requests(delay: pacedDelay), spread: pacedDelay * pieces, cpu: cpu)
            lines +=
                latency.lines + [
                    latency.platform.summary("platform"),
                    latency.direct.summary("direct"),
                    latency.addedLine("added_first_token", \.firstToken) + " (targets: at most 2 and 10 ms)",
                    latency.addedLine("added_total", \.total),
                ]
        }
        return lines + ["server_peak_rss=\(peakMemory())", String(format: "ratio=%.2f", throughput.ratio)]
    }

    /// `rounds` alternating rounds of the platform's and the direct request.
    private func measure(
        _ request: (platform: [UInt8], direct: [UInt8]), spread: Duration, cpu: @Sendable () -> CPUReading
    ) async throws -> Measurement {
        var measured = Measurement()
        for round in 1...rounds {
            let beforePlatform = cpu()
            let roundPlatform = try await phase(
                port: platformPort, request: request.platform, seconds: seconds, requests: requests, spread: spread)
            let beforeDirect = cpu()
            measured.platformCPU = measured.platformCPU.adding(beforeDirect.since(beforePlatform))
            let roundDirect = try await phase(
                port: emulatorPort, request: request.direct, seconds: seconds, requests: requests, spread: spread)
            measured.directCPU = measured.directCPU.adding(cpu().since(beforeDirect))
            measured.lines.append(
                String(
                    format: "round %d: platform %.0f completions/s, direct %.0f completions/s, ratio %.2f", round,
                    roundPlatform.completionsPerSecond, roundDirect.completionsPerSecond,
                    roundPlatform.completionsPerSecond / roundDirect.completionsPerSecond))
            measured.platform.merge(roundPlatform)
            measured.direct.merge(roundDirect)
        }
        return measured
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
    ///
    /// Their first requests are spread evenly over `spread` (one reply's length), as independent clients'
    /// would be: started at once, closed-loop streams of equal length stay in step, every reply then starts
    /// in the same burst, and the time to first token measures that burst's queue (64 starts behind one
    /// another: 13 ms of added p50 at a provider's pace, 2.7 ms spread).
    private func phase(port: Int, request: [UInt8], seconds: Double, requests: Int?, spread: Duration) async throws
        -> ChatBenchmarkPhase
    {
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let concurrency = self.concurrency
        let host = self.host
        let spacing = spread / concurrency
        var total = try await withThrowingTaskGroup(of: ChatBenchmarkPhase.self) { group in
            for worker in 0..<concurrency {
                // With `requests`, the first `requests % concurrency` workers take one more.
                let quota = requests.map { $0 / concurrency + (worker < $0 % concurrency ? 1 : 0) }
                if quota == 0 { continue }
                group.addTask {
                    try await Task.sleep(for: spacing * worker)
                    return try await Self.onThread {
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
