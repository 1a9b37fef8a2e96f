#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One keep-alive HTTP/1.1 connection that sends streamed chat completions and reads their server-sent
/// events as they arrive, with blocking socket calls, for `bench chat`.
///
/// ``HTTPLoadConnection`` reads whole `Content-Length` responses only; a stream comes chunked and its
/// timings are taken mid-body, so this reads incrementally: each `recv` is stamped when it returns, and the
/// events it completes take that stamp. As there, no event loop, task or timer runs in the load generator,
/// which shares the cores with the server, PostgreSQL and the emulator.
final class ChatBenchmarkConnection {
    /// When one completion's events came, from the start of its request.
    struct Timing: Sendable {
        /// Until the first `data:` line whose delta carries text.
        var firstToken: Duration
        /// Until `data: [DONE]`.
        var total: Duration
    }

    private let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects to `host` (an IPv4 address) and `port`; a read that waits longer than `timeoutSeconds` fails
    /// the benchmark instead of hanging it.
    init(host: String, port: Int, timeoutSeconds: Int = 30) throws(BenchmarkFailure) {
        socket = try LoadSocket.connect(host: host, port: port, timeoutSeconds: timeoutSeconds)
    }

    deinit { close(socket) }

    /// Sends `request` (a complete HTTP/1.1 message asking for a stream) and reads the response to its end;
    /// fails unless it is a 200 whose events carry text and end with `[DONE]`.
    func stream(_ request: [UInt8]) throws(BenchmarkFailure) -> Timing {
        let start = ContinuousClock.now
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { write(socket, $0.baseAddress! + sent, $0.count - sent) }
            guard count > 0 else { throw BenchmarkFailure("send failed: errno \(errno)") }
            sent += count
        }
        var reader = ChatBenchmarkResponseReader()
        while !reader.isComplete {
            let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress!, $0.count) }
            guard count > 0 else {
                throw BenchmarkFailure(count == 0 ? "connection closed mid-response" : "read failed: errno \(errno)")
            }
            try reader.consume(buffer[..<count], at: ContinuousClock.now)
        }
        guard reader.status == 200 else {
            throw BenchmarkFailure("200 expected, the server answered \(reader.status): \(reader.errorBody)")
        }
        guard let firstToken = reader.firstToken, let done = reader.done else {
            throw BenchmarkFailure("the stream ended without text or without [DONE]")
        }
        return Timing(firstToken: firstToken - start, total: done - start)
    }
}
