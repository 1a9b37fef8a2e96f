import Testing

@testable import AgentConsole

/// The usage page's chart, drawn on the server.
@Suite struct UsageChartTests {
    @Test func barsAreScaledToTheBusiestDay() {
        let chart = UsageChart(days: [("2026-12-01", 0), ("2026-12-02", 70), ("2026-12-03", 140)])
        #expect(chart.bars.map(\.height) == [0, 70, 140])
        #expect(chart.bars.map(\.y) == [160, 90, 20])
        // The scale's top is the busiest day, where its bar ends; the days are labelled at both ends and the middle.
        #expect(chart.scaled && chart.maximum == "140" && chart.bars[2].y == UsageChart.top)
        #expect([chart.first, chart.middle, chart.last] == ["2026-12-01", "2026-12-02", "2026-12-03"])
    }

    /// Without a token, there is nothing to scale: no top line saying the highest day was 1 token.
    @Test func aMonthWithoutTokensDrawsNoScale() {
        let chart = UsageChart(days: [("2026-12-01", 0), ("2026-12-02", 0)])
        #expect(!chart.scaled && chart.bars.allSatisfy { $0.height == 0 })
    }

    /// A tenant's own server can report 2^31 tokens a call: a day's total times the chart's height once
    /// passed Int's range, and the overflow stopped the process for every tenant.
    @Test func daysPastAnyRealisticTotalDrawWithoutOverflow() {
        let chart = UsageChart(days: [("2026-12-01", Int.max / 2), ("2026-12-02", Int.max)])
        #expect(chart.bars.map(\.height) == [70, 140])
    }
}
