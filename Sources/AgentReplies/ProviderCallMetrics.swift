import AgentStore
import Metrics

/// What operators see of provider calls on `/metrics`: calls by service and outcome, the tokens they
/// used, their time to first token and duration, the replies being generated now, and whether this
/// instance hears the cancels that other instances publish.
///
/// No dimension names a tenant, an agent or a model: those are the tenants' own (a model is free text), so
/// such a dimension would grow without bound and set one tenant's use beside another's. The ledger, under
/// row-level security, has the rest.
public struct ProviderCallMetrics: Sendable {
    private let factory: any MetricsFactory
    private let generating: Meter
    private let listeningForCancels: Gauge

    /// Histogram buckets for the two times, by metric label, for a factory to use: a reply may run for
    /// `REPLY_TIME_LIMIT_SECONDS` (300 by default) and a reasoning model think for minutes before its first
    /// token, where the usual buckets end at 10 seconds and would put most replies past the last one.
    public static let durationBuckets: [String: [Duration]] = [
        "provider_call_duration_seconds": [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300].map { .seconds($0) },
        "provider_time_to_first_token_seconds": [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300].map { .seconds($0) },
    ]

    /// - Parameter factory: where the metrics go; by default the process's, as `MetricsSystem` was
    ///   bootstrapped before this is made.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        generating = Meter(label: "replies_generating", factory: factory)
        listeningForCancels = Gauge(label: "reply_cancel_listener_connected", factory: factory)
    }

    /// 1 while the listener for other instances' cancels is connected, 0 while it reconnects.
    func cancelListener(connected: Bool) {
        listeningForCancels.record(connected ? 1 : 0)
    }

    /// A generation started: a stored reply or an OpenAI-compatible completion, however many calls it makes.
    func generationStarted() {
        generating.increment()
    }

    func generationEnded() {
        generating.decrement()
    }

    /// One call to a provider ended; each attempt of a fallback is a call of its own, as in the ledger.
    /// `endpoint` is `default` (the provider's own API) or `custom` (a tenant's base URL): one tenant's
    /// server that is down is not the provider being down.
    func record(_ call: CallSettlement, service: String, endpoint: String) {
        let failure = call.error ?? "none"
        Counter(
            label: "provider_calls_total",
            dimensions: [
                ("service", service), ("endpoint", endpoint), ("status", call.status.rawValue), ("failure", failure),
            ],
            factory: factory
        ).increment()
        for (kind, tokens) in [("prompt", call.usage.promptTokens), ("completion", call.usage.completionTokens)] where tokens > 0
        {
            Counter(
                label: "provider_tokens_total",
                dimensions: [("service", service), ("kind", kind), ("estimated", "\(call.usage.estimated)")], factory: factory
            ).increment(by: tokens)
        }
        if let latency = call.latencyMilliseconds {
            Timer(
                label: "provider_call_duration_seconds", dimensions: [("service", service), ("status", call.status.rawValue)],
                factory: factory
            ).record(duration: .milliseconds(latency))
        }
        if let firstToken = call.timeToFirstTokenMilliseconds {
            Timer(label: "provider_time_to_first_token_seconds", dimensions: [("service", service)], factory: factory)
                .record(duration: .milliseconds(firstToken))
        }
    }
}
