/// An incremental `text/event-stream` parser following the WHATWG EventSource rules.
///
/// Feed it byte chunks of any size as they arrive; it returns the events they complete. A chunk may end
/// anywhere, inside a line, a `\r\n` pair or a UTF-8 character: lines are decoded only once complete.
/// Memory is bounded by ``maximumEventSize``, so a hostile stream cannot grow it without limit.
public struct ServerSentEventParser: Sendable {
    /// The largest event accepted, in bytes: its unfinished line plus its data and name so far.
    public let maximumEventSize: Int
    /// The last event ID buffer of the standard; it outlives the event that set it.
    public internal(set) var lastEventID = ""
    /// The reconnection time the stream last asked for with `retry`, in milliseconds.
    public internal(set) var reconnectionTime: Int?

    var line: [UInt8] = []
    var data: [UInt8] = []
    var eventType: [UInt8] = []
    var retry: Int?
    /// The previous byte was a carriage return, so a line feed right after it ends no second line.
    var skipsLineFeed = false
    /// Bytes of a leading byte order mark matched so far; nil once past the start of the stream.
    var byteOrderMarkMatched: Int? = 0
    var failure: ServerSentEventError?

    public init(maximumEventSize: Int = 1 << 20) {
        precondition(maximumEventSize > 0, "an event needs room for at least one byte")
        self.maximumEventSize = maximumEventSize
    }

    // MARK: Feeding

    /// Reads the next chunk and returns the events it completes, in order.
    ///
    /// After an error the parser stays failed: every later call throws the same error.
    public mutating func parse(_ bytes: some Sequence<UInt8>) throws(ServerSentEventError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        try parse(bytes, into: &events)
        return events
    }

    /// Reads the next chunk and appends the events it completes to `events`.
    ///
    /// Events completed before an error are appended before it is thrown, so a caller keeps what a
    /// stream said before it broke.
    public mutating func parse(
        _ bytes: some Sequence<UInt8>, into events: inout [ServerSentEvent]
    ) throws(ServerSentEventError) {
        if let failure { throw failure }
        do throws(ServerSentEventError) {
            // Contiguous chunks (arrays, a ByteBuffer's view) take the faster path, a line at a time.
            var contiguousFailure: ServerSentEventError?
            let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
                do throws(ServerSentEventError) {
                    try consume(contentsOf: buffer, into: &events)
                } catch {
                    contiguousFailure = error
                }
            }
            if let contiguousFailure { throw contiguousFailure }
            if contiguous == nil {
                for byte in bytes {
                    if let event = try consume(byte) { events.append(event) }
                }
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Ends the stream: an unterminated line or event is discarded, and reported as ``ServerSentEventStreamEnd/truncated``.
    ///
    /// The parser is then ready for a new stream (the last event ID is kept, as a reconnecting client would).
    public mutating func finish() -> ServerSentEventStreamEnd {
        let leftOver =
            !line.isEmpty || !data.isEmpty || !eventType.isEmpty || retry != nil
            || (byteOrderMarkMatched ?? 0) > 0
        line.removeAll()
        resetEvent()
        skipsLineFeed = false
        byteOrderMarkMatched = 0
        failure = nil
        return leftOver ? .truncated : .clean
    }
}
