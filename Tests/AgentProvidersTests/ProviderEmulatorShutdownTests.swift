import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ProviderEmulator
import ServiceLifecycle
import Testing

/// The emulator stops when told to, even while a script holds a stream open.
@Suite struct ProviderEmulatorShutdownTests {
    /// What ended first: the emulator's service group, or the bound it was given.
    enum Ending: Equatable { case stopped, stillRunning }

    @Test(arguments: ["stall_after=1,stall_ms=600000", "chunks=3,delay_ms=600000"])
    func aLongScriptedWaitEndsAtShutdown(script: String) async throws {
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let ending: Ending
        do {
            ending = try await Self.shutDownWhileStreaming(script: script, client: client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(ending == .stopped)
    }

    /// Starts an emulator, reads the first piece of a stream that `script` makes wait, then tells the
    /// emulator to stop and waits for it a minute at most. The client's stream must end too.
    static func shutDownWhileStreaming(script: String, client: HTTPClient) async throws -> Ending {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let emulator = ProviderEmulator(onListening: { port in listening.yield(port) })
        let group = ServiceGroup(services: [emulator], logger: Logger(label: "emulator-shutdown-test"))
        return try await withThrowingTaskGroup(of: Ending.self) { tasks in
            tasks.addTask {
                try await group.run()
                return .stopped
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/script/\(script)/v1/chat/completions")
            request.method = .POST
            request.body = .bytes(
                ByteBuffer(string: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"abcdef"}]}"#))
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            var body = response.body.makeAsyncIterator()
            _ = try await body.next()  // the stream has begun: the script is waiting now
            await group.triggerGracefulShutdown()
            tasks.addTask {
                // The script waits ten minutes: a minute means the wait did not end with the emulator.
                try await Task.sleep(for: .seconds(60))
                return .stillRunning
            }
            let first = try await tasks.next()
            tasks.cancelAll()
            await #expect(throws: (any Error).self) {
                while try await body.next() != nil {}
            }
            return try #require(first)
        }
    }
}
