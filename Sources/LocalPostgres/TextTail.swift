import Foundation

/// Cuts text down to its last lines, for error reports.
enum TextTail {
    /// How many lines error reports keep.
    static let lineCount = 20

    /// The last `count` lines of `text`, ignoring trailing blank lines.
    static func lastLines(of text: String, count: Int = lineCount) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var end = lines.endIndex
        while end > lines.startIndex, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty {
            end -= 1
        }
        return lines[max(lines.startIndex, end - count)..<end].joined(separator: "\n")
    }

    /// The last lines of a log file, or nil when it is missing or empty.
    static func lastLines(ofFile url: URL, count: Int = lineCount) -> LocalClusterError.LogTail? {
        // Only the end matters and server logs grow without bound, so read at most the last 64 KiB.
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        guard let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
        let lines = self.lastLines(of: String(decoding: data, as: UTF8.self), count: count)
        return lines.isEmpty ? nil : LocalClusterError.LogTail(path: url.path, lines: lines)
    }
}
