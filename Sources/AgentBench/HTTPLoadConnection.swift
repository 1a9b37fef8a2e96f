#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One keep-alive HTTP/1.1 connection driven with blocking socket calls, for the load generator.
///
/// The benchmark shares two cores with the server and PostgreSQL, so its client should cost as little as
/// possible: a request is one `send` and usually one `recv`, with no event loop, task or timer. Responses
/// must carry `Content-Length` (every response the benchmark asks for does).
final class HTTPLoadConnection {
    private let socket: Int32
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    /// Connects to `host` (an IPv4 address) and `port`.
    init(host: String, port: Int) throws(BenchmarkFailure) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw BenchmarkFailure("not an IPv4 address: \(host)") }
        #if canImport(Glibc)
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw BenchmarkFailure("socket() failed: errno \(errno)") }
        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw BenchmarkFailure("cannot connect to \(host):\(port): errno \(errno)")
        }
        socket = fd
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
            guard count > 0 else { throw BenchmarkFailure("connection closed mid-response") }
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
