extension ReplyMarkdown {
    /// The start of a list item: `-`, `*` or `+`, or a number and `.` or `)`, then a space or the line's end.
    struct ListMarker {
        /// The number of an ordered item; nil for a bullet.
        let ordered: Int?
        /// The bullet, or the `.` or `)` after the number: a different one starts another list.
        let delimiter: UInt8
        /// Where the item's text starts; lines indented this far belong to the item.
        let contentStart: Int
        let width: Int

        init?(_ line: Line) {
            let indent = ReplyMarkdown.indent(of: line)
            guard indent <= 3 else { return nil }
            var index = line.startIndex + indent
            let digits = line[index...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            if digits.isEmpty {
                guard let bullet = line[index...].first,
                    [UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+")].contains(bullet)
                else { return nil }
                ordered = nil
                delimiter = bullet
                index += 1
            } else {
                guard digits.count <= 9, let mark = line[(index + digits.count)...].first,
                    mark == UInt8(ascii: ".") || mark == UInt8(ascii: ")")
                else { return nil }
                ordered = Int(String(decoding: digits, as: UTF8.self))
                delimiter = mark
                index += digits.count + 1
            }
            let spaces = line[index...].prefix { $0 == UInt8(ascii: " ") }.count
            guard spaces > 0 || index == line.endIndex else { return nil }
            // More than four spaces after the marker: the text starts after one (the rest is its indent).
            let gap = spaces > 4 || index + spaces == line.endIndex ? min(spaces, 1) : spaces
            contentStart = index + gap
            width = contentStart - line.startIndex
        }

        func continues(_ other: ListMarker) -> Bool { (ordered == nil) == (other.ordered == nil) && delimiter == other.delimiter }
    }

    /// Appends the list that starts at `start` and returns the index of the line after it. A list with a blank
    /// line between or inside its items is loose: their paragraphs keep their `<p>`.
    static func list(_ lines: [Line], at start: Int, marker first: ListMarker, depth: Int, into out: inout [UInt8]) -> Int {
        var items: [[Line]] = []
        var loose = false
        var index = start
        while index < lines.count, let marker = ListMarker(lines[index]), marker.continues(first) {
            var item: [Line] = [lines[index][marker.contentStart...]]
            index += 1
            var blankBefore = false
            // A fence open in the item: its blank lines make nothing loose, and no line joins it lazily.
            var openFence = Fence(item[0])
            // A list nested in the item, open at the line before: blank lines between its items make it loose,
            // not this list.
            var sublist: ListMarker?
            while index < lines.count {
                let line = lines[index]
                if isBlank(line) {
                    if openFence == nil { blankBefore = true }
                    item.append(line[line.endIndex...])
                } else if indent(of: line) >= marker.width {
                    let text = line.dropFirst(marker.width)
                    if let fence = openFence {
                        if fence.closes(at: text) { openFence = nil }
                    } else {
                        // Still in the nested list: indented into its item, or its next item.
                        let inSublist = sublist.flatMap { open in
                            indent(of: text) >= open.width ? open : ListMarker(text).flatMap { $0.continues(open) ? $0 : nil }
                        }
                        if blankBefore, inSublist == nil { loose = true }
                        sublist = inSublist ?? ListMarker(text)
                        openFence = Fence(text)
                    }
                    blankBefore = false
                    item.append(text)
                } else if !blankBefore, openFence == nil, let last = item.last, !interruptsParagraph(last),
                    ListMarker(line) == nil, !interruptsParagraph(line)
                {
                    item.append(line)  // a lazy continuation of the item's paragraph
                } else {
                    break
                }
                index += 1
            }
            while let last = item.last, isBlank(last) { item.removeLast() }
            // Blank lines between this item and the next make the list loose; after the last one they do not.
            if blankBefore, index < lines.count, let next = ListMarker(lines[index]), next.continues(first) { loose = true }
            items.append(item)
        }
        switch first.ordered {
        case nil: append("<ul>\n", to: &out)
        case 1: append("<ol>\n", to: &out)
        case let number?: append("<ol start=\"\(number)\">\n", to: &out)
        }
        for item in items {
            append("<li>", to: &out)
            blocks(item, depth: depth + 1, tight: !loose, into: &out)
            append("</li>\n", to: &out)
        }
        append(first.ordered == nil ? "</ul>\n" : "</ol>\n", to: &out)
        return index
    }
}
