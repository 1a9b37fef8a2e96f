/// A bar chart of tokens per day as SVG, drawn on the server: no script, and presentation attributes
/// rather than inline styles, which the console's Content-Security-Policy forbids.
struct UsageChart: Sendable {
    struct Bar: Sendable {
        let x: Int
        let y: Int
        let width: Int
        let height: Int
        let label: String
    }

    static let width = 600
    static let height = 160

    let bars: [Bar]
    /// The highest day's tokens: the scale's top, drawn as a line at `top`.
    let maximum: String
    /// Whether any day had tokens: without, the chart draws no scale.
    let scaled: Bool
    let first: String
    /// The day under the chart's middle, labelled between the first and the last.
    let middle: String
    let last: String
    /// Where the highest day's bar ends, in the chart's coordinates (the CSS places the scale's top label
    /// there too: `.scale-top`).
    static let top = 20
    /// ``top``, for the template.
    let topLine = Self.top

    /// `days` oldest first, each with its day (`YYYY-MM-DD`) and tokens.
    init(days: [(day: String, tokens: Int)]) {
        let busiest = max(1, days.map(\.tokens).max() ?? 1)
        let slot = Self.width / max(1, days.count)
        bars = days.enumerated().map { index, day in
            // Scaled in floating point: a day's total times the height passes Int's range past ~6.6e16 tokens
            // (a tenant's own server can report 2^31 a call), and an overflow would stop the process.
            let height = day.tokens == 0 ? 0 : max(1, Int(Double(day.tokens) / Double(busiest) * Double(Self.height - Self.top)))
            return Bar(
                x: index * slot + 1, y: Self.height - height, width: max(1, slot - 2), height: height,
                label: "\(day.day): \(ConsoleFormat.count(day.tokens)) tokens")
        }
        maximum = ConsoleFormat.count(busiest)
        scaled = days.contains { $0.tokens > 0 }
        first = days.first?.day ?? ""
        middle = days.isEmpty ? "" : days[days.count / 2].day
        last = days.last?.day ?? ""
    }
}
