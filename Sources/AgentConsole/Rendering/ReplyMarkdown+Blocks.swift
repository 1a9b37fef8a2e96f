extension ReplyMarkdown {
    // MARK: Blocks

    /// Appends the blocks of `lines`. In a tight list item (`tight`) paragraphs have no `<p>` of their own.
    static func blocks(_ lines: [Line], depth: Int, tight: Bool, into out: inout [UInt8]) {
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if isBlank(line) {
                index += 1
            } else if let fence = Fence(line) {
                index = codeBlock(lines, at: index, fence: fence, into: &out)
            } else if let heading = heading(line) {
                append("<h\(heading.level)>", to: &out)
                inline(heading.text, into: &out)
                append("</h\(heading.level)>\n", to: &out)
                index += 1
            } else if isRule(line) {
                append("<hr>\n", to: &out)
                index += 1
            } else if depth < maximumDepth, quoted(line) != nil {
                var quote: [Line] = []
                while index < lines.count, let text = quoted(lines[index]) {
                    quote.append(text)
                    index += 1
                }
                append("<blockquote>\n", to: &out)
                blocks(quote, depth: depth + 1, tight: false, into: &out)
                append("</blockquote>\n", to: &out)
            } else if depth < maximumDepth, let marker = ListMarker(line) {
                index = list(lines, at: index, marker: marker, depth: depth, into: &out)
            } else if index + 1 < lines.count, let table = Table(head: line, delimiter: lines[index + 1]) {
                index = table.render(lines, from: index + 2, into: &out)
            } else {
                var end = index + 1
                while end < lines.count, !isBlank(lines[end]), !interruptsParagraph(lines[end]) {
                    // A table ends the paragraph above it, as on GitHub.
                    if end + 1 < lines.count, Table(head: lines[end], delimiter: lines[end + 1]) != nil { break }
                    end += 1
                }
                if !tight { append("<p>", to: &out) }
                inline(joined(lines[index..<end]), into: &out)
                append(tight ? "\n" : "</p>\n", to: &out)
                index = end
            }
        }
    }

    /// Whether `line` starts a block that ends the paragraph before it.
    static func interruptsParagraph(_ line: Line) -> Bool {
        if Fence(line) != nil || heading(line) != nil || isRule(line) || quoted(line) != nil { return true }
        // As in CommonMark, an ordered list interrupts a paragraph only when it starts at 1 ("in 2024. we").
        guard let marker = ListMarker(line), marker.contentStart < line.endIndex else { return false }
        return marker.ordered == nil || marker.ordered == 1
    }

    private static func joined(_ lines: ArraySlice<Line>) -> Line {
        var text: [UInt8] = []
        for line in lines {
            if !text.isEmpty { text.append(UInt8(ascii: "\n")) }
            text += trimmed(line)
        }
        return text[...]
    }

    // MARK: Fenced code

    /// An opening code fence: three or more backticks or tildes, and the language that may follow them.
    struct Fence {
        let character: UInt8
        let length: Int
        let indent: Int
        let language: String?

        init?(_ line: Line) {
            indent = ReplyMarkdown.indent(of: line)
            guard indent <= 3 else { return nil }
            let start = line.startIndex + indent
            guard let first = line[start...].first, first == UInt8(ascii: "`") || first == UInt8(ascii: "~") else {
                return nil
            }
            character = first
            length = line[start...].prefix { $0 == first }.count
            guard length >= 3 else { return nil }
            let info = ReplyMarkdown.trimmed(line[(start + length)...])
            if first == UInt8(ascii: "`"), info.contains(UInt8(ascii: "`")) { return nil }
            // Only what a language name is made of, so that it cannot leave its class attribute.
            let name = info.prefix { $0 != UInt8(ascii: " ") }.prefix(32)
            let allowed = name.allSatisfy { byte in
                ReplyMarkdown.isAlphanumeric(byte)
                    || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "#")].contains(byte)
            }
            language = allowed && !name.isEmpty ? String(decoding: name, as: UTF8.self) : nil
        }

        func closes(at line: Line) -> Bool {
            let indent = ReplyMarkdown.indent(of: line)
            guard indent <= 3 else { return false }
            let rest = line[(line.startIndex + indent)...]
            let run = rest.prefix { $0 == character }.count
            return run >= length && ReplyMarkdown.isBlank(rest.dropFirst(run))
        }
    }

    /// Appends a fenced code block; a fence never closed runs to the end of the text, as in CommonMark.
    private static func codeBlock(_ lines: [Line], at start: Int, fence: Fence, into out: inout [UInt8]) -> Int {
        append(fence.language.map { "<pre><code class=\"language-\($0)\">" } ?? "<pre><code>", to: &out)
        var index = start + 1
        while index < lines.count, !fence.closes(at: lines[index]) {
            ConsoleHTML.escape(dropIndent(lines[index], upTo: fence.indent), into: &out)
            out.append(UInt8(ascii: "\n"))
            index += 1
        }
        append("</code></pre>\n", to: &out)
        return min(index + 1, lines.count)
    }

    // MARK: Headings, rules, quotes

    /// `# Title` to `###### Title`: shown two levels down (`<h3>` and below), under the page's own headings.
    private static func heading(_ line: Line) -> (level: Int, text: Line)? {
        let indent = indent(of: line)
        guard indent <= 3 else { return nil }
        let rest = line[(line.startIndex + indent)...]
        let level = rest.prefix { $0 == UInt8(ascii: "#") }.count
        guard (1...6).contains(level) else { return nil }
        let after = rest.dropFirst(level)
        guard after.isEmpty || after.first == UInt8(ascii: " ") else { return nil }
        var text = trimmed(after)
        // A closing run of #s, after a space, is not part of the title.
        let closing = text.reversed().prefix { $0 == UInt8(ascii: "#") }.count
        if closing == text.count || text[text.endIndex - closing - 1] == UInt8(ascii: " ") {
            text = trimmed(text.dropLast(closing))
        }
        return (min(level + 2, 6), text)
    }

    /// `---`, `***` or `___`, spaces allowed between.
    private static func isRule(_ line: Line) -> Bool {
        guard indent(of: line) <= 3 else { return false }
        // Without copying the line: this is asked of every line of every paragraph.
        guard let first = line.first(where: { $0 != UInt8(ascii: " ") }),
            [UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_")].contains(first)
        else { return false }
        var marks = 0
        for byte in line where byte != UInt8(ascii: " ") {
            guard byte == first else { return false }
            marks += 1
        }
        return marks >= 3
    }

    /// The text of a quoted line, without its `>` and the space after it.
    private static func quoted(_ line: Line) -> Line? {
        let indent = indent(of: line)
        guard indent <= 3, line.dropFirst(indent).first == UInt8(ascii: ">") else { return nil }
        let rest = line.dropFirst(indent + 1)
        return rest.first == UInt8(ascii: " ") ? rest.dropFirst() : rest
    }

    // MARK: Lines

    /// A space or a tab, the blanks of a line.
    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    static func isBlank(_ line: Line) -> Bool { line.allSatisfy(isBlank) }

    static func indent(of line: Line) -> Int { line.prefix { $0 == UInt8(ascii: " ") }.count }

    static func dropIndent(_ line: Line, upTo count: Int) -> Line { line.dropFirst(min(count, indent(of: line))) }

    static func trimmed(_ line: Line) -> Line {
        guard let first = line.firstIndex(where: { !isBlank($0) }), let last = line.lastIndex(where: { !isBlank($0) }) else {
            return line[line.endIndex...]
        }
        return line[first...last]
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
