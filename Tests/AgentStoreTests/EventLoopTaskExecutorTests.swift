import AgentTestSupport
import EventLoopTasks
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import AgentStore

/// The event loop as a task executor, as `serve` uses it: jobs on the loop's thread, and the store's reads
/// from such a task whole.
@Suite struct EventLoopTaskExecutorTests {
    /// A task that prefers the executor runs on the loop's thread from its start and after every kind of
    /// suspension: a sleep, a continuation resumed from another thread, a call into a `nonisolated`
    /// async function.
    @Test func aTaskStaysOnTheLoopThread() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let onLoop = try await Task(executorPreference: EventLoopTaskExecutor(loop)) { () async throws -> [Bool] in
            var seen = [loop.inEventLoop]
            try await Task.sleep(for: .milliseconds(1))
            seen.append(loop.inEventLoop)
            await withCheckedContinuation { continuation in
                Thread { continuation.resume() }.start()
            }
            seen.append(loop.inEventLoop)
            seen.append(await Self.isOnLoop(loop))
            return seen
        }.value
        #expect(onLoop == [true, true, true, true])
    }

    @inline(never)
    nonisolated private static func isOnLoop(_ loop: any EventLoop) async -> Bool {
        await Task.yield()
        return loop.inEventLoop
    }

    /// Under the group's executor, as `serve` runs its services, a task and its children run on one of the
    /// group's loops from their start and after each suspension.
    @Test func childTasksOfTheGroupsExecutorRunOnItsLoops() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let onLoops = try await withTaskExecutorPreference(EventLoopGroupTaskExecutor(group)) {
            try await withThrowingTaskGroup(of: [Bool].self) { tasks in
                for _ in 0..<4 {
                    tasks.addTask {
                        var seen = [MultiThreadedEventLoopGroup.currentEventLoop != nil]
                        try await Task.sleep(for: .milliseconds(1))
                        seen.append(MultiThreadedEventLoopGroup.currentEventLoop != nil)
                        await withCheckedContinuation { continuation in Thread { continuation.resume() }.start() }
                        seen.append(MultiThreadedEventLoopGroup.currentEventLoop != nil)
                        return seen
                    }
                }
                return try await tasks.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(onLoops.count == 12)
        #expect(onLoops.allSatisfy { $0 })
    }

    /// `current` is the loop of the calling thread, and nothing elsewhere (the tests' tasks run on the
    /// concurrency pool, not on NIO's loops).
    @Test func currentIsTheCallingThreadsLoop() async throws {
        #expect(EventLoopTaskExecutor.current == nil)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        #expect(try await loop.submit { EventLoopTaskExecutor.current?.eventLoop === loop }.get())
    }

    /// A page read from a task on an event loop (as a request of `serve` runs) reads its prepared
    /// statement's rows on the connection's loop: the page is whole and in order, the same as off the loops.
    @Test func aPageReadFromALoopIsWhole() async throws {
        let db = try await TestDatabase.make()
        let user = try await db.makeUser()
        let conversation = ConversationID(rawValue: "long")!
        let agent = try await db.store.withTenant(user) { session in
            let agent = try await session.createAgent(NewAgent(name: "pages", systemPrompt: "Be brief."))
            for index in 0..<120 {
                _ = try await session.appendMessage(
                    agentID: agent.id, conversationID: conversation, NewMessage(role: .user, content: "message \(index)"))
            }
            return agent
        }
        let read: @Sendable () async throws -> [String] = {
            try await db.store.withTenant(user) {
                try await $0.messages(agentID: agent.id, conversationID: conversation, PageRequest(limit: 100, order: .ascending))
            }.items.map(\.content)
        }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let fromLoop = try await Task(executorPreference: EventLoopTaskExecutor(loop)) {
            #expect(EventLoopTaskExecutor.current != nil)
            return try await read()
        }.value
        #expect(fromLoop == (0..<100).map { "message \($0)" })
        #expect(try await read() == fromLoop)
        await db.drop()
    }
}
