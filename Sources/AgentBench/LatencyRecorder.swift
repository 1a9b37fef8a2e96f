import Foundation

/// Request latencies of one benchmark phase, and the figures printed from them.
struct LatencyRecorder: Sendable {
    private(set) var milliseconds: [Double] = []
    var seconds = 0.0

    mutating func record(_ duration: Duration) {
        milliseconds.append(duration.seconds * 1000)
    }

    /// Adds another recorder's requests and time (workers of one phase carry no time of their own).
    mutating func merge(_ other: LatencyRecorder) {
        milliseconds += other.milliseconds
        seconds += other.seconds
    }

    var perSecond: Double { seconds > 0 ? Double(milliseconds.count) / seconds : 0 }

    func percentile(_ fraction: Double) -> Double {
        guard !milliseconds.isEmpty else { return 0 }
        let sorted = milliseconds.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    func summary(_ name: String) -> String {
        String(
            format: "%@: %.0f req/s, p50 %.2f ms, p99 %.2f ms (%d requests)",
            name, perSecond, percentile(0.5), percentile(0.99), milliseconds.count)
    }
}
