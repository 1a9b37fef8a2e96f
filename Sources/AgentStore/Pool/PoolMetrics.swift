import CoreMetrics

/// What operators see of the database pool on `/metrics`: the connections open and those leased, the
/// requests that had to
/// wait for one, and those that got none (`timeout`: none became free within the lease timeout;
/// `unavailable`: the database could not be reached, or the pool was shutting down), and the connections
/// closed because their server left a statement unanswered past the deadline.
struct PoolMetrics: Sendable {
    let open: Meter
    let inUse: Meter
    let waits: Counter
    let timeouts: Counter
    let unavailable: Counter
    let silentServerCloses: Counter

    init(factory: any MetricsFactory) {
        open = Meter(label: "db_pool_connections_open", factory: factory)
        inUse = Meter(label: "db_pool_connections_in_use", factory: factory)
        waits = Counter(label: "db_pool_lease_waits_total", factory: factory)
        timeouts = Counter(label: "db_pool_lease_failures_total", dimensions: [("reason", "timeout")], factory: factory)
        unavailable = Counter(
            label: "db_pool_lease_failures_total", dimensions: [("reason", "unavailable")], factory: factory)
        silentServerCloses = Counter(label: "db_pool_statement_deadline_closes_total", factory: factory)
    }
}
