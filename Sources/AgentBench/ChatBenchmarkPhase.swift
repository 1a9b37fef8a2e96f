import Foundation

/// The timings of one side (platform or direct) of `bench chat` over one or more phases.
struct ChatBenchmarkPhase: Sendable {
    /// Time to the first text, per completion (its `perSecond` is the completions per second).
    var firstToken = LatencyRecorder()
    /// Time to `[DONE]`, per completion.
    var total = LatencyRecorder()

    var completionsPerSecond: Double { firstToken.perSecond }

    mutating func record(_ timing: ChatBenchmarkConnection.Timing) {
        firstToken.record(timing.firstToken)
        total.record(timing.total)
    }

    /// Adds another phase's completions and time (workers of one phase carry no time of their own).
    mutating func merge(_ other: ChatBenchmarkPhase) {
        firstToken.merge(other.firstToken)
        total.merge(other.total)
    }

    /// The wall time the completions took; both recorders count it, so that either gives the rate.
    mutating func setSeconds(_ seconds: Double) {
        firstToken.seconds = seconds
        total.seconds = seconds
    }

    func summary(_ name: String) -> String {
        String(
            format: "%@: %.0f completions/s, first token p50 %.2f ms p99 %.2f ms, total p50 %.2f ms p99 %.2f ms (%d completions)",
            name, completionsPerSecond, firstToken.percentile(0.5), firstToken.percentile(0.99), total.percentile(0.5),
            total.percentile(0.99), firstToken.milliseconds.count)
    }
}
