extension ReplyMarkdown {
    /// A GitHub table: a row of cells between `|`, a delimiter row (`---`, `:--`, `:-:`, `--:`) with as many
    /// cells, then rows until a blank line or a line without a `|`.
    struct Table {
        enum Alignment: String {
            case none, left, center, right
        }

        let head: [Line]
        let alignments: [Alignment]

        init?(head line: Line, delimiter: Line) {
            guard line.contains(UInt8(ascii: "|")), delimiter.contains(UInt8(ascii: "|")) || delimiter.contains(UInt8(ascii: "-"))
            else { return nil }
            let marks = Self.cells(delimiter)
            var alignments: [Alignment] = []
            for mark in marks {
                let left = mark.first == UInt8(ascii: ":")
                let right = mark.last == UInt8(ascii: ":")
                let dashes = mark.dropFirst(left ? 1 : 0).dropLast(right && mark.count > 1 ? 1 : 0)
                guard !dashes.isEmpty, dashes.allSatisfy({ $0 == UInt8(ascii: "-") }) else { return nil }
                alignments.append(left && right ? .center : left ? .left : right ? .right : .none)
            }
            let head = Self.cells(line)
            guard !alignments.isEmpty, head.count == alignments.count else { return nil }
            self.head = head
            self.alignments = alignments
        }

        /// Appends the table with the rows from `start` on; returns the index of the line after it.
        func render(_ lines: [Line], from start: Int, into out: inout [UInt8]) -> Int {
            ReplyMarkdown.append("<div class=\"table\"><table>\n<thead>\n", to: &out)
            row(head, cell: "th", into: &out)
            ReplyMarkdown.append("</thead>\n<tbody>\n", to: &out)
            var index = start
            while index < lines.count, !ReplyMarkdown.isBlank(lines[index]), lines[index].contains(UInt8(ascii: "|")) {
                row(Self.cells(lines[index]), cell: "td", into: &out)
                index += 1
            }
            ReplyMarkdown.append("</tbody>\n</table></div>\n", to: &out)
            return index
        }

        /// A row with as many cells as the head: missing ones empty, extra ones left out.
        private func row(_ cells: [Line], cell tag: String, into out: inout [UInt8]) {
            ReplyMarkdown.append("<tr>", to: &out)
            for (column, alignment) in alignments.enumerated() {
                // Classes, not style attributes: the console's Content-Security-Policy allows no inline style.
                ReplyMarkdown.append(alignment == .none ? "<\(tag)>" : "<\(tag) class=\"align-\(alignment.rawValue)\">", to: &out)
                if column < cells.count { ReplyMarkdown.inline(cells[column], into: &out) }
                ReplyMarkdown.append("</\(tag)>", to: &out)
            }
            ReplyMarkdown.append("</tr>\n", to: &out)
        }

        /// The cells of a row, trimmed; `\|` is a `|` inside a cell.
        static func cells(_ line: Line) -> [Line] {
            var row = ReplyMarkdown.trimmed(line)
            if row.first == UInt8(ascii: "|") { row = row.dropFirst() }
            if row.last == UInt8(ascii: "|"), row.dropLast().last != UInt8(ascii: "\\") { row = row.dropLast() }
            var cells: [Line] = []
            var start = row.startIndex
            var index = row.startIndex
            while index < row.endIndex {
                if row[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if row[index] == UInt8(ascii: "|") {
                    cells.append(ReplyMarkdown.trimmed(row[start..<index]))
                    start = index + 1
                }
                index += 1
            }
            cells.append(ReplyMarkdown.trimmed(row[start..<min(index, row.endIndex)]))
            return cells
        }
    }
}
