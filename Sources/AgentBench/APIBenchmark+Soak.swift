import Foundation
import Synchronization

extension APIBenchmark {
    /// `agentctl bench soak`: mixed traffic for `minutes` (70% conversation pages, 20% message posts,
    /// 10% agent listings) from `clients` connections, with the server's resident memory read once a
    /// minute. Memory that keeps growing under steady traffic is a leak; flat memory is the goal.
    ///
    /// Returns the report lines: one per minute, then the memory at the start (after the first minute,
    /// which warms caches and pools), the middle and the end.
    public func soak(minutes: Int, residentMemory: @escaping @Sendable () -> Double?) async throws -> [String] {
        let counts = SoakCounts()
        let deadline = ContinuousClock.now + .seconds(minutes * 60)
        var lines = ["soak: \(minutes) minutes, \(clients) clients, 70% page reads / 20% posts / 10% agent lists"]
        var samples: [Double] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    try await Self.onThread { try self.soakWorker(until: deadline, counts: counts) }
                }
            }
            var previous = 0
            for minute in 1...minutes {
                try await Task.sleep(until: min(deadline, ContinuousClock.now + .seconds(60)))
                let total = counts.done.load(ordering: .relaxed)
                let memory = residentMemory() ?? 0
                samples.append(memory)
                lines.append(
                    String(
                        format: "minute %d: %.0f req/s, %d failed so far, server rss %.1fMB", minute,
                        Double(total - previous) / 60,
                        counts.failed.load(ordering: .relaxed), memory))
                previous = total
            }
            try await group.waitForAll()
        }
        let start = samples.first ?? 0
        let middle = samples[samples.count / 2]
        let end = samples.last ?? 0
        lines.append(
            String(format: "requests=%d failed=%d", counts.done.load(ordering: .relaxed), counts.failed.load(ordering: .relaxed)))
        lines.append(
            String(
                format: "rss_start=%.1fMB rss_middle=%.1fMB rss_end=%.1fMB (start: after minute 1)", start, middle, end))
        lines.append(
            String(format: "rss_growth=%+.1fMB (%+.1f%% from start to end)", end - start, (end / max(start, 1) - 1) * 100))
        return lines
    }

    /// One connection's share of the soak: blocking requests until the deadline.
    private func soakWorker(until deadline: ContinuousClock.Instant, counts: SoakCounts) throws {
        let connection = try HTTPLoadConnection(host: host, port: port)
        while ContinuousClock.now < deadline {
            let (user, token) = tokens.randomElement()!
            let draw = Int.random(in: 0..<10)
            let (request, expected) =
                draw < 7
                ? (pageRequest(user: user, token: token), 200)
                : draw < 9 ? (postRequest(user: user, token: token), 201) : (agentsRequest(token: token), 200)
            let status = try connection.send(request)
            counts.done.add(1, ordering: .relaxed)
            if status != expected { counts.failed.add(1, ordering: .relaxed) }
        }
    }

    /// `GET /v1/agents`: the tenant's agents, newest first.
    private func agentsRequest(token: String) -> [UInt8] {
        Array("GET /v1/agents?limit=20 HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8)
    }
}

/// Requests answered and requests answered with an unexpected status, across the soak's connections.
final class SoakCounts: Sendable {
    let done = Atomic(0)
    let failed = Atomic(0)
}
