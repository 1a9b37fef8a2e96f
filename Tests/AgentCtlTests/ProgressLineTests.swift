import Synchronization
import Testing

@testable import agentctl

@Suite struct ProgressLineTests {
    /// What a ``ProgressLine`` wrote, in order.
    final class Written: Sendable {
        let parts = Mutex<[String]>([])
        var text: String { parts.withLock { $0.joined() } }
        func append(_ part: String) { parts.withLock { $0.append(part) } }
    }

    @Test func aTerminalGetsOneRedrawnBar() {
        let written = Written()
        let progress = ProgressLine(total: 10, label: "re-sealed", isTerminal: true, write: written.append)
        progress.update(5)
        progress.update(10)
        progress.finish()
        let expected =
            "\r[" + String(repeating: "#", count: 15) + String(repeating: "-", count: 15) + "] 50% 5/10 re-sealed"
            + "\r[" + String(repeating: "#", count: 30) + "] 100% 10/10 re-sealed\n"
        #expect(written.text == expected)
    }

    @Test func otherwisePlainLinesAtMostOncePerSecond() {
        let written = Written()
        let progress = ProgressLine(total: 3, label: "re-sealed", isTerminal: false, write: written.append)
        for done in 1...3 { progress.update(done) }
        progress.finish()
        #expect(written.text == "progress: 1/3 re-sealed\n")
    }

    @Test func nothingToDoIsComplete() {
        let written = Written()
        ProgressLine(total: 0, label: "re-sealed", isTerminal: true, write: written.append).update(0)
        #expect(written.text.hasSuffix("] 100% 0/0 re-sealed"))
    }
}
