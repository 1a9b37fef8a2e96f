/// Counts of the emulator's streams, as `GET /_emulator/stats` shows them.
public struct EmulatorStats: Codable, Hashable, Sendable {
    /// Chat requests received, streamed or not, failed or not.
    public var requests = 0
    /// Streamed responses begun.
    public var streamsStarted = 0
    /// Streams that reached their scripted end (a normal end or a scripted error event).
    public var streamsCompleted = 0
    /// Streams whose client went away before the end: a write failed because the connection was closed.
    public var streamsClosedEarly = 0
    /// Streams the script dropped or stalled.
    public var streamsBroken = 0

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case requests
        case streamsStarted = "streams_started"
        case streamsCompleted = "streams_completed"
        case streamsClosedEarly = "streams_closed_early"
        case streamsBroken = "streams_broken"
    }
}
