import Foundation

/// The process's standard output and error, written so that a failed write loses the text, never the
/// process: `FileHandle.write(_:)` traps on an error, and a full disk or a reader that went away (a `tee`
/// that exited; NIO ignores SIGPIPE, so the write fails with EPIPE) would stop a serving platform.
enum StandardStream {
    static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    static func output(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }
}
