import NIOCore
import Testing

/// An account export whose client stopped reading after its first bytes: with 30 MB to send (more than the
/// kernel and the server buffer), it holds its slot while `body` runs, and lets go once the connection closes.
enum HeldExport {
    static func whileHeld(port: Int, token: String, _ body: () async throws -> Void) async throws {
        let held = try await RawConnection.sendAndStopReading(
            port: port, "GET /v1/me/export HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n")
        try await held.executeThenClose { inbound, _ in
            // The first bytes of its answer: the held export has its slot.
            var reader = inbound.makeAsyncIterator()
            let head = try #require(try await reader.next())
            #expect(String(buffer: head).hasPrefix("HTTP/1.1 200"))
            try await body()
        }
    }
}
