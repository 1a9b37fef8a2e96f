import HTTPTypes
import Hummingbird
import NIOCore

/// Writes `text/event-stream` responses: each event an `event:` line naming it and one `data:` line of
/// JSON (JSON has no raw newlines, so one line always holds it).
enum ServerSentEvents {
    static let mediaType = "text/event-stream"

    /// Headers of a stream: not cached, not buffered by proxies that honour `X-Accel-Buffering`.
    static var headers: HTTPFields {
        [.contentType: mediaType, .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"]
    }

    /// One event named `name` carrying `value` as JSON.
    static func event(_ name: String?, _ value: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        if let name { buffer.writeString("event: \(name)\n") }
        buffer.writeString("data: ")
        var json = try JSONStreamEncoder.encode(value)
        buffer.writeBuffer(&json)
        buffer.writeString("\n\n")
        return buffer
    }

    /// A comment line, which clients ignore: it keeps a quiet stream from looking idle to proxies, and a
    /// write to a client that left fails.
    static let waiting = ByteBuffer(string: ": waiting\n\n")

    /// One event whose data is the literal `text` (OpenAI's `[DONE]`).
    static func event(data text: String) -> ByteBuffer {
        ByteBuffer(string: "data: \(text)\n\n")
    }
}
