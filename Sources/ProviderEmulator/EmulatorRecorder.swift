/// The emulator's memory of recent requests and its stream counts, shared by every connection.
actor EmulatorRecorder {
    /// Enough for any test, small enough to keep a long-running emulator's memory flat.
    static let keptRequests = 200

    private(set) var requests: [RecordedRequest] = []
    private(set) var stats = EmulatorStats()
    /// Requests to each script path (the base URL's path before `/v1/...`), for `status_times`.
    private var byPath: [String: Int] = [:]

    /// Counts one more request to `path` and returns how many there have been.
    func countRequest(to path: String) -> Int {
        byPath[path, default: 0] += 1
        return byPath[path] ?? 0
    }

    func record(_ request: RecordedRequest) {
        requests.append(request)
        if requests.count > Self.keptRequests { requests.removeFirst(requests.count - Self.keptRequests) }
        stats.requests += 1
    }

    /// The counters a stream moves.
    enum Counter: Sendable {
        case started, completed, closedEarly, broken
    }

    func count(_ counter: Counter) {
        switch counter {
        case .started: stats.streamsStarted += 1
        case .completed: stats.streamsCompleted += 1
        case .closedEarly: stats.streamsClosedEarly += 1
        case .broken: stats.streamsBroken += 1
        }
    }

    func reset() {
        requests = []
        byPath = [:]
        stats = EmulatorStats()
    }
}
