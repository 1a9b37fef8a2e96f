import Hummingbird
import Prometheus

/// `/metrics`: Prometheus' text format, served only on the metrics listener (see ``buildMetricsApplication``).
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("metrics", use: metrics)
    }

    /// Every metric of `registry`, which the API's `RequestMetricsMiddleware` fills.
    @Sendable func metrics(_ request: Request, context: BasicRequestContext) async throws -> EncodedDocument {
        EncodedDocument(
            bytes: ByteBuffer(bytes: registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
