import HTTPTypes
import Prometheus

/// 429s by problem type, on `/metrics`: a tenant's budget (`limit-exceeded`, `over-limit`), its share of
/// replies at once (`too-many-replies`), the API's rate limits (`rate-limited`) and the like all look alike
/// in `http_requests_total`. The types are the platform's own few, so the label stays bounded.
struct RefusalCount: Sendable {
    let registry: PrometheusCollectorRegistry

    static var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "http_refusals", unitName: "total", helpText: "Requests refused with a 429, by problem type.")
    }

    /// Counts `problem` when it is a 429.
    func record(_ problem: Problem) {
        record(problem.status, type: String(problem.type.dropFirst(Problem.typeBase.count)))
    }

    /// Counts an answer of `status` and `type` (a problem's slug, or the code of an OpenAI error made of
    /// one) when it is a 429.
    func record(_ status: HTTPResponse.Status, type: String) {
        guard status == .tooManyRequests else { return }
        registry.makeCounter(descriptor: Self.descriptor, labels: [("type", type)]).increment()
    }
}
