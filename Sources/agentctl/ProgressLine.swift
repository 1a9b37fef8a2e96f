import Foundation

/// Progress on standard error: a redrawn bar on a terminal, plain lines (at most one per second)
/// otherwise, so logs of scheduled jobs stay readable.
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var lastPrinted = Date.distantPast

    /// - Parameters:
    ///   - isTerminal: whether to redraw a bar; by default, whether standard error is a terminal.
    ///   - write: where the text goes; by default, standard error.
    init(
        total: Int, label: String, isTerminal: Bool = isatty(STDERR_FILENO) == 1,
        write: @escaping (String) -> Void = { StandardStream.error($0) }
    ) {
        self.total = total
        self.label = label
        self.isTerminal = isTerminal
        self.write = write
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
}
