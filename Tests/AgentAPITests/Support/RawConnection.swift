import NIOCore
import NIOPosix

/// A plain TCP connection to the server under test, for what no HTTP client sends: half a request, then
/// silence.
enum RawConnection {
    /// Connects to `port` on loopback, sends `text` and then nothing, and waits for the server to close
    /// the connection; the time from connecting to the close, or nil when it was still open after `limit`.
    /// (From connecting, not from sending: the server's clock starts at the latest when it accepts, and a
    /// loaded machine may send well after that.)
    static func sendThenWaitForClose(port: Int, _ text: String, limit: Duration) async throws -> Duration? {
        // Taken before connecting: the server's idle timer starts when it accepts, and a loaded test process
        // may resume this task well after that; a later instant made a timely close look early.
        let connected = ContinuousClock.now
        let channel = try await connect(port: port)
        // A reset (rather than an orderly close) may surface from the channel itself, not only from the read
        // below: it is the close being waited for as well.
        do {
            return try await exchange(channel, text, connected: connected, limit: limit)
        } catch {
            return connected.duration(to: .now)
        }
    }

    private static func exchange(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ text: String, connected: ContinuousClock.Instant,
        limit: Duration
    ) async throws -> Duration? {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            return try await withThrowingTaskGroup(of: Duration?.self) { group in
                group.addTask {
                    // Whatever the server answers is read and dropped; the end of the stream, or a reset, is
                    // the close being waited for.
                    do { for try await _ in inbound {} } catch {}
                    return connected.duration(to: .now)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
    }

    /// Connects to `port`, sends `head`, then one byte of body every `interval` until the server closes the
    /// connection; the time from connecting to the close, or nil when it was still open after `limit`.
    static func trickleThenWaitForClose(port: Int, _ head: String, every interval: Duration, limit: Duration) async throws
        -> Duration?
    {
        let channel = try await connect(port: port)
        let connected = ContinuousClock.now
        do {
            return try await trickle(channel, head, every: interval, connected: connected, limit: limit)
        } catch {
            return connected.duration(to: .now)
        }
    }

    private static func trickle(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ head: String, every interval: Duration,
        connected: ContinuousClock.Instant, limit: Duration
    ) async throws -> Duration? {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: head))
            let sent = ContinuousClock.now
            return try await withThrowingTaskGroup(of: Duration?.self) { group in
                group.addTask {
                    do { for try await _ in inbound {} } catch {}
                    return connected.duration(to: .now)
                }
                group.addTask {
                    // Writing into a closed connection fails; the reader above reports the close.
                    while sent.duration(to: .now) < limit {
                        try await Task.sleep(for: interval)
                        do { try await outbound.write(ByteBuffer(string: " ")) } catch { break }
                    }
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
    }

    /// Connects to `port`, sends `text`, and reads what the server answers until it closes the connection
    /// or `limit` passes.
    static func sendThenReadUntilClose(port: Int, _ text: String, limit: Duration) async throws -> String {
        try await sendThenRead(try await connect(port: port), text, pace: nil, until: nil, limit: limit)
    }

    /// Connects to `port`, sends `text`, and reads what the server answers at no more than `bytesPerSecond`
    /// (through a small receive buffer, so that the server feels the pace) until it closes the connection,
    /// the answer ends with `end`, or `limit` passes: a client on a slow but steady link.
    static func sendThenReadSteadily(
        port: Int, _ text: String, bytesPerSecond: Int, until end: String, limit: Duration
    ) async throws -> String {
        let channel = try await connect(port: port, receiveBuffer: 64 * 1024)
        return try await sendThenRead(channel, text, pace: bytesPerSecond, until: end, limit: limit)
    }

    private static func sendThenRead(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ text: String, pace bytesPerSecond: Int?, until end: String?,
        limit: Duration
    ) async throws -> String {
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            return try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    let clock = ContinuousClock()
                    let started = clock.now
                    var answer = ""
                    var read = 0
                    do {
                        for try await part in inbound {
                            answer += String(buffer: part)
                            if let end, answer.hasSuffix(end) { break }
                            guard let bytesPerSecond else { continue }
                            read += part.readableBytes
                            let due = started + .seconds(Double(read) / Double(bytesPerSecond))
                            if due > clock.now { try await Task.sleep(until: due) }
                        }
                    } catch {}
                    return answer
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first ?? ""
            }
        }
    }

    /// Connects to `port`, sends `text`, and reads no more than the channel takes in by itself: a client
    /// that asked for a download and stopped reading. Close the channel to let the server go.
    static func sendAndStopReading(port: Int, _ text: String) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let channel = try await connect(port: port)
        try await channel.channel.writeAndFlush(ByteBuffer(string: text))
        return channel
    }

    /// A connection to the server on loopback `port`, with the kernel's receive buffer at most
    /// `receiveBuffer` bytes when given (a client the server feels the pace of).
    private static func connect(port: Int, receiveBuffer: Int? = nil) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        return try await bootstrap.connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    }
}
