import Testing

@testable import AgentAPI

/// The waits of a connection's requests end when its client hangs up, and only then.
@Suite struct ClientHangUpTests {
    @Test func aHangUpEndsTheWaitUnderWay() async throws {
        let hangUp = ClientHangUp()
        let (never, _) = AsyncStream.makeStream(of: Int.self)
        let waiting = Task { try await hangUp.unlessHungUp { await never.first { _ in true } } }
        try await Task.sleep(for: .milliseconds(50))
        hangUp.signal()
        #expect(try await waiting.value == nil)
        #expect(hangUp.happened)
    }

    @Test func aWaitAfterTheHangUpEndsAtOnce() async throws {
        let hangUp = ClientHangUp()
        hangUp.signal()
        let (never, _) = AsyncStream.makeStream(of: Int.self)
        #expect(try await hangUp.unlessHungUp { await never.first { _ in true } } == nil)
    }

    /// A kept-alive connection's requests come and go: each wait that ended is no longer watched, and an
    /// answer that came first is the answer.
    @Test func aWaitThatEndsFirstIsItsOwnAnswer() async throws {
        let hangUp = ClientHangUp()
        for round in 0..<1_000 {
            #expect(try await hangUp.unlessHungUp { round } == round)
        }
        #expect(hangUp.watching == 0 && !hangUp.happened)
    }
}
