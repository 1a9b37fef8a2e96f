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
}
