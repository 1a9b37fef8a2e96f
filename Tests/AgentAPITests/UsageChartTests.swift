import Testing

@testable import AgentConsole

/// The usage page's chart, drawn on the server.
@Suite struct UsageChartTests {
    @Test func barsAreScaledToTheBusiestDay() {
        let chart = UsageChart(days: [("2026-12-01", 0), ("2026-12-02", 70), ("2026-12-03", 140)])
        #expect(chart.bars.map(\.height) == [0, 70, 140])
        #expect(chart.bars.map(\.y) == [160, 90, 20])
    }

    /// A tenant's own server can report 2^31 tokens a call: a day's total times the chart's height once
    /// passed Int's range, and the overflow stopped the process for every tenant.
    @Test func daysPastAnyRealisticTotalDrawWithoutOverflow() {
        let chart = UsageChart(days: [("2026-12-01", Int.max / 2), ("2026-12-02", Int.max)])
        #expect(chart.bars.map(\.height) == [70, 140])
    }
}
