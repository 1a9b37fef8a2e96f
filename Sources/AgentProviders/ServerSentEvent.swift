/// One event of a `text/event-stream`, as dispatched by ``ServerSentEventParser``.
public struct ServerSentEvent: Hashable, Sendable {
    /// The `event` field, or `message` when the event named none.
    public var event: String
    /// The `data` lines, joined with a line feed.
    public var data: String
    /// The last event ID the stream set (it carries over to later events, as in a browser), nil while none.
    public var id: String?
    /// The `retry` field of this event, in milliseconds, when it carried a valid one.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
