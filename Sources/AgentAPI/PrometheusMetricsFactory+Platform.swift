import AgentReplies
import Prometheus

extension PrometheusMetricsFactory {
    /// The factory of the platform's metrics over `registry`, with buckets that fit the times they record
    /// (see ``ProviderCallMetrics/durationBuckets``).
    public static func platform(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ProviderCallMetrics.durationBuckets
        return factory
    }
}
