import Foundation
import Testing

@testable import LocalPostgres

/// The tails of outputs and server logs that cluster errors carry.
@Suite struct TextTailTests {
    @Test func keepsTheLastLinesWithoutTrailingBlankOnes() {
        let text = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n\n  \n"
        let tail = TextTail.lastLines(of: text, count: 3)
        #expect(tail == "line 28\nline 29\nline 30")
    }

    @Test func shortOrBlankTextIsKeptWholeOrEmpty() {
        #expect(TextTail.lastLines(of: "only\n", count: 5) == "only")
        #expect(TextTail.lastLines(of: "\n \n").isEmpty)
    }

    @Test func aLogFileIsReadFromItsEndAndAMissingOrEmptyOneIsNil() throws {
        let folder = try TemporaryFolder.make("tail")
        let log = folder.appending(path: "server.log")
        // Larger than the 64 KiB window: the first lines are never read, the last are kept.
        let lines = (1...5_000).map { "2026-01-01 00:00:00 UTC LOG:  message number \($0)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: log)
        let tail = try #require(TextTail.lastLines(ofFile: log, owners: [geteuid()], count: 2))
        #expect(tail.path == log.path)
        #expect(tail.lines == lines.suffix(2).joined(separator: "\n"))

        #expect(TextTail.lastLines(ofFile: folder.appending(path: "missing.log"), owners: [geteuid()]) == nil)
        let empty = folder.appending(path: "empty.log")
        try Data().write(to: empty)
        #expect(TextTail.lastLines(ofFile: empty, owners: [geteuid()]) == nil)
        // Another owner's log is not quoted: the server account's log could be another's file.
        #expect(TextTail.lastLines(ofFile: log, owners: [geteuid() + 1]) == nil)
    }
}
