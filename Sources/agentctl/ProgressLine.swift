import Foundation

/// Progress on standard error: a redrawn bar on a terminal, plain lines (at most one per second)
/// otherwise, so logs of scheduled jobs stay readable.
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPrinted = Date.distantPast

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ done: Int) {
        if isTerminal {
            let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
            write("\r[\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(label)")
        } else if Date().timeIntervalSince(lastPrinted) >= 1 {
            lastPrinted = Date()
            write("progress: \(done)/\(total) \(label)\n")
        }
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
