import Hummingbird
import Logging
import Prometheus

/// Counts requests by route, method and status, records their latency, and writes one access-log line
/// per request (no headers, no query, no body: those may hold tokens or content).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let registry: PrometheusCollectorRegistry

    /// Up to 30 seconds, a statement's timeout: a request held by a slow query shows as such.
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route, method and status.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency to the response head.")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let status = response.status.code
        let method = request.method.rawValue
        let logger = context.credentialOutcome.naming(context.logger)
        let route = context.endpointPath ?? "unmatched"
        // Measured to the response head: a streamed export's body time is not counted.
        do {
            let elapsed = ContinuousClock.now - start
            registry.makeCounter(
                descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", "\(status)")]
            ).increment()
            registry.makeDurationHistogram(
                descriptor: Self.duration, labels: [("route", route), ("method", method)], buckets: Self.buckets
            ).record(elapsed)
            logger.info(
                "request",
                metadata: [
                    "method": "\(method)", "route": "\(route)", "status": "\(status)",
                    "duration_ms":
                        "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                ])
        }
        return response
    }
}
