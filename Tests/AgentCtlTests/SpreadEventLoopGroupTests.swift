import NIOCore
import NIOPosix
import Testing

@testable import agentctl

@Suite struct SpreadEventLoopGroupTests {
    /// Called from one of its own loops, the plain group keeps answering that loop; the spread group
    /// answers every loop in turn, so pool connections opened from one task land on all of them.
    @Test func anyLeavesTheCallingLoop() async throws {
        let base = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let spread = SpreadEventLoopGroup(base)
        let first = base.next()
        let (plain, spreadLoops) = try await first.submit {
            (Set((0..<4).map { _ in ObjectIdentifier(base.any()) }), Set((0..<4).map { _ in ObjectIdentifier(spread.any()) }))
        }.get()
        #expect(plain == [ObjectIdentifier(first)])
        #expect(spreadLoops.count == 2)
        try await base.shutdownGracefully()
    }
}
