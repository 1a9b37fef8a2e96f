#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One keep-alive HTTP/1.1 connection driven with blocking socket calls, for the load generator.
///
/// The benchmark shares two cores with the server and PostgreSQL, so its client should cost as little as
/// possible: a request is one `send` and usually one `recv`, with no event loop, task or timer. Responses
/// must carry `Content-Length` (every response the benchmark asks for does). One thread at a time uses a
/// connection (a phase's worker, then the next phase's), hence `@unchecked Sendable`.
final class HTTPLoadConnection: @unchecked Sendable {
    private let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    /// Connects to `host` (an IPv4 address) and `port`; a read that waits longer than `timeoutSeconds` fails
    /// the benchmark instead of hanging it.
    init(host: String, port: Int, timeoutSeconds: Int = 30) throws(BenchmarkFailure) {
        socket = try LoadSocket.connect(host: host, port: port, timeoutSeconds: timeoutSeconds)
    }

    deinit { close(socket) }

    /// Sends `request` (a complete HTTP/1.1 message) and reads the whole response; its status code.
    func send(_ request: [UInt8]) throws(BenchmarkFailure) -> Int {
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { write(socket, $0.baseAddress! + sent, $0.count - sent) }
            guard count > 0 else { throw BenchmarkFailure("send failed: errno \(errno)") }
            sent += count
        }
        var received = 0
        var expected = Int.max  // known once the headers are in
        while received < expected {
            if received == buffer.count { throw BenchmarkFailure("response larger than \(buffer.count) bytes") }
            let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress! + received, $0.count - received) }
            guard count != 0 else { throw BenchmarkFailure("connection closed mid-response") }
            guard count > 0 else { throw BenchmarkFailure("no response within the read timeout (errno \(errno))") }
            received += count
            if expected == .max, let end = Self.headerEnd(buffer, count: received) {
                expected = end + (try Self.contentLength(buffer[..<end]))
            }
        }
        guard received == expected else { throw BenchmarkFailure("unexpected bytes after the response") }
        return try Self.status(buffer)
    }

    // MARK: Parsing

    /// The index just past `\r\n\r\n`, if the headers are complete.
    private static func headerEnd(_ bytes: [UInt8], count: Int) -> Int? {
        guard count >= 4 else { return nil }
        for index in 3..<count
        where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    private static func contentLength(_ header: ArraySlice<UInt8>) throws(BenchmarkFailure) -> Int {
        let text = String(decoding: header, as: UTF8.self).lowercased()
        guard let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingPrefix(" "))
        else { throw BenchmarkFailure("response without Content-Length") }
        return length
    }

    /// The code of `HTTP/1.1 NNN ...`.
    private static func status(_ bytes: [UInt8]) throws(BenchmarkFailure) -> Int {
        guard bytes.count > 12, let code = Int(String(decoding: bytes[9..<12], as: UTF8.self)) else {
            throw BenchmarkFailure("malformed status line")
        }
        return code
    }
}
