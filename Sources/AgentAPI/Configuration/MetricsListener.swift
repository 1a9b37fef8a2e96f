/// Where `/metrics` (Prometheus' text format) is served: a listener of its own, apart from the API's,
/// so that the monitoring reads it without a token while the API's port shows nothing of the process.
public struct MetricsListener: Sendable, Hashable, CustomStringConvertible {
    public var hostname: String
    /// 0 picks a free port.
    public var port: Int

    /// The loopback interface unless told otherwise: metrics name routes and volumes, nothing for the open network.
    public init(hostname: String = "127.0.0.1", port: Int) {
        self.hostname = hostname
        self.port = port
    }

    public var description: String { "MetricsListener(\(hostname):\(port))" }
}
