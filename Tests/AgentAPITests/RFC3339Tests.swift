import Foundation
import Testing

@testable import AgentAPI

@Suite struct RFC3339Tests {
    @Test(arguments: [0.0, 1_764_020_860.723, 951_782_400.5, -1.25, 4_102_444_799.999])
    func matchesFoundationsFormat(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let expected = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(RFC3339.string(from: date) == expected)
    }

    /// Times and dates read back exactly; offsets count; a prefix followed by more, a day or an hour that
    /// does not exist, and anything else are no time (a lenient reader took `2026-12-01garbage` as the day
    /// and rolled `2026-02-30` into March).
    @Test func readsTimesWholeAndStrictly() {
        let day = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z
        #expect(RFC3339.date(from: "2025-12-01") == day)
        #expect(RFC3339.date(from: "2025-12-01T00:00:00Z") == day)
        #expect(RFC3339.date(from: "2025-12-01t01:30:00+01:30") == day)
        #expect(RFC3339.date(from: "2025-11-30T23:00:00-01:00") == day)
        #expect(RFC3339.date(from: "2025-12-01T12:34:56+23:00") == day.addingTimeInterval(12 * 3_600 + 34 * 60 + 56 - 23 * 3_600))
        #expect(RFC3339.date(from: "2024-02-29T10:00:00.250Z") == Date(timeIntervalSince1970: 1_709_200_800.25))
        #expect(RFC3339.date(from: "1900-01-01") == Date(timeIntervalSince1970: -2_208_988_800))
        for date in [0.0, 1_764_020_860.723, 951_782_400.5, -1.25, 4_102_444_799.999].map(Date.init(timeIntervalSince1970:)) {
            let read = RFC3339.date(from: RFC3339.string(from: date))
            #expect(read.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
        }
        for text in [
            "", "2025-12-01garbage", "2025-12-01T", "2025-02-29", "2026-02-30", "2025-13-01", "2025-00-10", "2025-12-32",
            "2025-12-01T24:00:00Z", "2025-12-01T99:99:99Z", "2025-12-01T10:00:00", "2025-12-01T10:00:00.Z",
            "2025-12-01T10:00:00+24:00", "2025-12-01T10:00:00+0100", "2025-12-01 10:00:00Z", "25-12-01", "1234567890",
            "2025-12-01T10:00:00Zjunk", "２０２５-12-01",
        ] {
            #expect(RFC3339.date(from: text) == nil, "\(text)")
        }
    }
}
