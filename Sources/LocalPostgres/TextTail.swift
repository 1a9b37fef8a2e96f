import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// The last lines of a log file, or nil when it is missing or empty, or is not a regular file of
    /// one of `owners` (the server account's log could be a link it planted to a secret of ours).
    static func lastLines(ofFile url: URL, owners: [uid_t], count: Int = lineCount) -> LocalClusterError.LogTail? {
        guard let file = try? ClusterEntry.open(url.path, .regularFile, owners: owners),
            let data = try? file.tail(bytes: 64 * 1024), !data.isEmpty
        else { return nil }
        // Only the end matters and server logs grow without bound, so at most the last 64 KiB are read.
        let lines = self.lastLines(of: String(decoding: data, as: UTF8.self), count: count)
        return lines.isEmpty ? nil : LocalClusterError.LogTail(path: url.path, lines: lines)
    }
}
