import Hummingbird
import Logging
import Prometheus

/// Builds the metrics server: `GET /metrics` over `registry`, and nothing else, listening where
/// `listener` says. `agentctl serve` runs it beside the API in one service group, so that both start,
/// and stop on SIGTERM or SIGINT, together.
public func buildMetricsApplication(
    listener: MetricsListener, registry: PrometheusCollectorRegistry, logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    MetricsController(registry: registry).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(listener.hostname, port: listener.port), serverName: "agent-platform-metrics"),
        logger: logger)
}
