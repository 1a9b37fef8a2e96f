import AgentAPI
import AgentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Slow and silent clients (slowloris): a connection that stalls is closed after the idle timeout, and
/// the server goes on serving everyone else meanwhile.
///
/// Serialized: the thousand idle connections of one test would otherwise load the machine while another
/// measures its timeouts.
@Suite(.serialized, .oneDatabase) struct ConnectionTimeoutTests {
    /// Long enough to never fire under a normal request (the test client's own kept-alive connection was
    /// closed between two requests of a loaded machine at 1 s, and once at 3 s on a slower one), short
    /// enough for a test.
    static let idleTimeout = Duration.seconds(5)
    /// How long a test waits for a close before failing: the timeout and a wide margin for a busy machine.
    static let limit = Duration.seconds(15)

    @Test func stalledConnectionsAreClosedWhileOthersAreServed() async throws {
        let api = try await TestAPI.make(idleTimeout: Self.idleTimeout)
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            let port = try #require(client.port)
            // A head without its final blank line, a body that stops halfway, and a connection that sends nothing.
            let halfHead = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n"
            let halfBody =
                "POST /v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(owner.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\": \"sl"
            let closes = Task {
                try await withThrowingTaskGroup(of: Duration?.self) { group in
                    for _ in 0..<10 {
                        group.addTask { try await RawConnection.sendThenWaitForClose(port: port, halfHead, limit: Self.limit) }
                    }
                    group.addTask { try await RawConnection.sendThenWaitForClose(port: port, halfBody, limit: Self.limit) }
                    group.addTask { try await RawConnection.sendThenWaitForClose(port: port, "", limit: Self.limit) }
                    return try await group.reduce(into: [Duration?]()) { $0.append($1) }
                }
            }
            // Served while the stalled connections are held open.
            for _ in 0..<5 {
                #expect(try await client.exchange(.get, "/health").status == .ok)
                #expect(try await client.send(.get, "/v1/agents", as: owner).status == .ok)
            }
            let durations = try await closes.value
            #expect(durations.count == 12)
            for duration in durations {
                let closedAfter = try #require(duration, "a stalled connection was still open after \(Self.limit)")
                // Not before the timeout: it is the timeout, not an error, that closed it.
                #expect(closedAfter >= Self.idleTimeout - .milliseconds(100), "\(closedAfter)")
                // And soon after it: the margin is for a loaded machine, far below the stall being ended.
                #expect(closedAfter < Self.idleTimeout + .seconds(5), "\(closedAfter)")
            }
        }
    }

    @Test func aBodyTrickledByteByByteIsCutAtTheTimeout() async throws {
        let api = try await TestAPI.make(idleTimeout: Self.idleTimeout)
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            let port = try #require(client.port)
            let head =
                "POST /v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(owner.token)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            // A byte every 200 ms: never silent for the idle timeout, never done within it either.
            let closedAfter = try await RawConnection.trickleThenWaitForClose(
                port: port, head, every: .milliseconds(200), limit: Self.limit)
            let duration = try #require(closedAfter, "a trickling connection was still open after \(Self.limit)")
            #expect(duration >= Self.idleTimeout - .milliseconds(100) && duration < Self.idleTimeout + .seconds(5), "\(duration)")
        }
    }

    /// A client that asks for a download and then reads nothing is cut off after the idle timeout, and
    /// what its response held is let go: with one export slot, the next export runs again while that client
    /// still keeps its connection open. (Hummingbird's idle timeout does not run while a response is written:
    /// before, that slot was held for as long as the client kept the connection.)
    @Test func aResponseNobodyReadsIsCutAtTheTimeout() async throws {
        let api = try await TestAPI.make(idleTimeout: Self.idleTimeout, maximumConcurrentExports: 1)
        let owner = try await api.makeUser()
        // Another account's exports show whether the only slot is taken (the owner's would be a 429).
        let other = try await api.makeUser()
        // 30 MB: more than the kernel and the server buffer, so the held export waits for its reader.
        _ = try await LargeMessages.make(api, owner, count: 30)
        try await api.test(.live) { client async throws in
            try await HeldExport.whileHeld(port: try #require(client.port), token: owner.token) {
                #expect(try await client.send(.get, "/v1/me/export", as: other).status == .serviceUnavailable)
                // Held open, unread: the slot comes back once the timeout has cut the connection.
                let clock = ContinuousClock()
                let started = clock.now
                var status: HTTPResponse.Status = .serviceUnavailable
                while status == .serviceUnavailable, clock.now - started < Self.limit {
                    try await Task.sleep(for: .milliseconds(250))
                    status = try await client.send(.get, "/v1/me/export", as: other).status
                }
                #expect(status == .ok)
                #expect(clock.now - started >= Self.idleTimeout - .seconds(1))
            }
        }
    }

    /// A client that reads a long response slowly but steadily keeps its connection: an export is written in
    /// slices, so the connection turns writable again as the client reads, where a page of megabytes written
    /// at once kept it unwritable until the page had all drained, past the timeout, and the export was cut.
    @Test func aClientThatReadsSlowlyButSteadilyGetsTheWholeExport() async throws {
        let api = try await TestAPI.make(idleTimeout: Self.idleTimeout)
        let owner = try await api.makeUser()
        // Two pages of four megabytes and more, read at 0.8 MB/s. The kernel's send buffer (4 MB here) turns
        // writable again only once half of it has drained, 2.5 s at that pace: within the 5 s timeout. A whole
        // page pending on top of it took more than the timeout to drain.
        _ = try await LargeMessages.make(api, owner, count: 8)
        try await api.test(.live) { client async throws in
            let answer = try await RawConnection.sendThenReadSteadily(
                port: try #require(client.port),
                "GET /v1/me/export HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(owner.token)\r\n\r\n",
                bytesPerSecond: 800_000, until: "0\r\n\r\n", limit: .seconds(60))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect(answer.hasSuffix("0\r\n\r\n") && answer.contains("\"audit_log\""), "\(answer.utf8.count) bytes")
        }
    }

    @Test func aConnectionInUseIsNotClosedBeforeTheTimeout() async throws {
        let api = try await TestAPI.make(idleTimeout: .seconds(5))
        try await api.test(.live) { client async throws in
            let port = try #require(client.port)
            // The whole request is sent: it is answered, and the kept-alive connection then closes only once
            // idle for the timeout.
            let closedAfter = try await RawConnection.sendThenWaitForClose(
                port: port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", limit: Self.limit + .seconds(5))
            let duration = try #require(closedAfter)
            #expect(duration >= .seconds(4) && duration < .seconds(10), "\(duration)")
        }
    }

    @Test func aThousandIdleConnectionsDoNotStopOthersBeingServed() async throws {
        let count = IdleSockets.allowance(for: 1_000)
        #expect(count == 1_000, "the descriptor limit allows only \(count) idle connections")
        let api = try await TestAPI.make(idleTimeout: .seconds(60))
        let owner = try await api.makeUser()
        try await api.test(.live) { client async throws in
            let port = try #require(client.port)
            let idle = try await Task.detached { try IdleSockets(count, port: port) }.value
            #expect(idle.descriptors.count == count)
            // Every one of them is held open by the server (none has timed out yet), and others are served.
            let start = ContinuousClock.now
            for _ in 0..<5 {
                #expect(try await client.exchange(.get, "/health").status == .ok)
                #expect(try await client.send(.get, "/v1/agents", as: owner).status == .ok)
            }
            #expect(start.duration(to: .now) < .seconds(10))
            withExtendedLifetime(idle) {}
        }
    }
}
