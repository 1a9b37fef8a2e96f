extension ReplyMarkdown {
    // MARK: Inline text

    /// Appends the inline content of `text`: code spans, links, emphasis, strikethrough, line breaks, and
    /// everything else escaped. Link text holds no links of its own.
    static func inline(_ text: Line, links: Bool = true, into out: inout [UInt8]) {
        var line = InlineLine(text, links: links)
        line.scan()
        line.matchEmphasis()
        line.write(into: &out)
    }

    /// One pass over a paragraph's text into pieces (markup written already, and runs of emphasis
    /// delimiters), then CommonMark's delimiter stack, simplified: a closer takes the nearest opener of its
    /// character, and openers of other characters between them stay text, so tags always nest.
    struct InlineLine {
        enum Piece {
            case markup([UInt8])
            case run(Int)
        }

        struct DelimiterRun {
            let character: UInt8
            var count: Int
            let canOpen: Bool
            let canClose: Bool
            var opened: [String] = []
            var closed: [String] = []
        }

        let text: Line
        let links: Bool
        var pieces: [Piece] = []
        var runs: [DelimiterRun] = []
        private var pending: [UInt8] = []
        /// For each `[`, by position, the `]` that closes it (nil: none), brackets nesting as in
        /// `[see [1]](url)`; escaped ones and those in code spans are text. Computed once: each `]` closes at most one `[`, so no
        /// byte after it is read by two attempts at a link.
        private var closingBracket: [Int?] = []
        /// For each run of backticks (start, length), the index of the next run as long.
        private var backtickRuns: [(start: Int, length: Int)] = []
        private var nextEqualRun: [Int?] = []
        /// The run of backticks that starts at a position.
        private var runStarting: [Int: Int] = [:]
        init(_ text: Line, links: Bool) {
            self.text = text
            self.links = links
        }

        // MARK: Scanning

        mutating func scan() {
            prepareLookups()
            var index = text.startIndex
            while index < text.endIndex {
                let byte = text[index]
                switch byte {
                case UInt8(ascii: "\\") where index + 1 < text.endIndex && isPunctuation(text[index + 1]):
                    ConsoleHTML.escape(text[(index + 1)...(index + 1)], into: &pending)
                    index += 2
                case UInt8(ascii: "`"):
                    index = runStarting[index].map { codeSpan(from: $0) } ?? literal(at: index)
                case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    index = delimiterRun(at: index)
                case UInt8(ascii: "["), UInt8(ascii: "!"):
                    index = (links ? link(at: index) : nil) ?? literal(at: index)
                case UInt8(ascii: "<") where links:
                    index = angleLink(at: index) ?? literal(at: index)
                case UInt8(ascii: "h") where links:
                    index = bareLink(at: index) ?? literal(at: index)
                case UInt8(ascii: "\n"):
                    // A chat's line ends are the writer's: each is shown, as the plain text showed them.
                    while pending.last == UInt8(ascii: " ") { pending.removeLast() }
                    pending.append(contentsOf: "<br>\n".utf8)
                    index += 1
                default:
                    index = literal(at: index)
                }
            }
            flush()
        }

        private mutating func literal(at index: Int) -> Int {
            ConsoleHTML.escape(text[index...index], into: &pending)
            return index + 1
        }

        private mutating func flush() {
            guard !pending.isEmpty else { return }
            pieces.append(.markup(pending))
            pending = []
        }

        private mutating func prepareLookups() {
            var index = text.startIndex
            while index < text.endIndex {
                if text[index] == UInt8(ascii: "\\"), index + 1 < text.endIndex, isPunctuation(text[index + 1]) {
                    index += 2  // as the scan reads it: an escaped backtick starts no run
                } else if text[index] == UInt8(ascii: "`") {
                    let length = text[index...].prefix { $0 == UInt8(ascii: "`") }.count
                    runStarting[index] = backtickRuns.count
                    backtickRuns.append((index, length))
                    index += length
                } else {
                    index += 1
                }
            }
            var lastOfLength: [Int: Int] = [:]
            nextEqualRun = Array(repeating: nil, count: backtickRuns.count)
            for run in backtickRuns.indices.reversed() {
                nextEqualRun[run] = lastOfLength[backtickRuns[run].length]
                lastOfLength[backtickRuns[run].length] = run
            }
            guard links else { return }
            closingBracket = Array(repeating: nil, count: text.count + 1)
            var opened: [Int] = []
            index = text.startIndex
            while index < text.endIndex {
                let byte = text[index]
                if byte == UInt8(ascii: "\\"), index + 1 < text.endIndex, isPunctuation(text[index + 1]) {
                    index += 2
                    continue
                }
                // A code span binds tighter than a link: its brackets are code (`[a `]` b](url)` is one link).
                if let run = runStarting[index], let closing = nextEqualRun[run] {
                    index = backtickRuns[closing].start + backtickRuns[closing].length
                    continue
                }
                if byte == UInt8(ascii: "[") {
                    opened.append(index)
                } else if byte == UInt8(ascii: "]"), let open = opened.popLast() {
                    closingBracket[open - text.startIndex] = index
                }
                index += 1
            }
        }

        // MARK: Code spans

        /// A code span from the run at `run` to the next run as long; without one the backticks are text.
        private mutating func codeSpan(from run: Int) -> Int {
            let (start, length) = backtickRuns[run]
            guard let closing = nextEqualRun[run] else {
                ConsoleHTML.escape(text[start..<(start + length)], into: &pending)
                return start + length
            }
            var code = Array(text[(start + length)..<backtickRuns[closing].start]).map {
                $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0
            }
            if code.count >= 2, code.first == UInt8(ascii: " "), code.last == UInt8(ascii: " "),
                code.contains(where: { $0 != UInt8(ascii: " ") })
            {
                code = Array(code.dropFirst().dropLast())
            }
            pending.append(contentsOf: "<code>".utf8)
            ConsoleHTML.escape(code[...], into: &pending)
            pending.append(contentsOf: "</code>".utf8)
            return backtickRuns[closing].start + length
        }

        // MARK: Links

        /// `[text](url)` or `[text](url "title")`; an image's `![alt](url)` becomes a link too, since a reply
        /// must not make the browser fetch anything. A target that is not `http`, `https` or `mailto`
        /// leaves the text alone.
        private mutating func link(at index: Int) -> Int? {
            let image = text[index] == UInt8(ascii: "!")
            let open = image ? index + 1 : index
            guard open < text.endIndex, text[open] == UInt8(ascii: "["),
                let close = closingBracket[open - text.startIndex],
                close + 1 < text.endIndex, text[close + 1] == UInt8(ascii: "(")
            else { return nil }
            var cursor = close + 2
            while cursor < text.endIndex, cursor - close < 64, text[cursor] == UInt8(ascii: " ") { cursor += 1 }
            let target = cursor
            // Balanced parentheses belong to the target (Wikipedia's `Swift_(programming_language)`). A target
            // ends at a `[`, where the next link would start, so that no byte is read by two failed attempts.
            var depth = 0
            while cursor < text.endIndex, cursor - target < 2048 {
                let byte = text[cursor]
                if isSpace(byte) || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "<") { break }
                if byte == UInt8(ascii: "\\"), cursor + 1 < text.endIndex, isPunctuation(text[cursor + 1]),
                    text[cursor + 1] != UInt8(ascii: "[")
                {
                    cursor += 2  // an escaped parenthesis neither opens nor closes
                    continue
                }
                if byte == UInt8(ascii: "(") { depth += 1 }
                if byte == UInt8(ascii: ")") {
                    if depth == 0 { break }
                    depth -= 1
                }
                cursor += 1
            }
            // Backslash escapes count in a link's target (`\_` is `_`), as in its text.
            let destination = unescaped(text[target..<cursor])
            let afterTarget = cursor
            while cursor < text.endIndex, cursor - afterTarget < 64, text[cursor] == UInt8(ascii: " ") { cursor += 1 }
            if cursor < text.endIndex, text[cursor] == UInt8(ascii: "\"") {
                // A title, which is not shown: skipped to its closing quote on the same line.
                guard
                    let end = text[(cursor + 1)...].prefix(2048).firstIndex(where: {
                        $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n")
                    }),
                    text[end] == UInt8(ascii: "\"")
                else { return nil }
                cursor = end + 1
                let afterTitle = cursor
                while cursor < text.endIndex, cursor - afterTitle < 64, text[cursor] == UInt8(ascii: " ") { cursor += 1 }
            }
            guard cursor < text.endIndex, text[cursor] == UInt8(ascii: ")") else { return nil }
            let label = text[(open + 1)..<close]
            if isSafeTarget(destination) {
                anchor(destination, label: label.isEmpty ? destination : label, asText: label.isEmpty)
            } else {
                var inner: [UInt8] = []
                ReplyMarkdown.inline(label, links: false, into: &inner)
                pending += inner
            }
            return cursor + 1
        }

        /// `<https://...>`.
        private mutating func angleLink(at index: Int) -> Int? {
            let rest = text[(index + 1)...].prefix(2048)
            guard let end = rest.firstIndex(where: { $0 == UInt8(ascii: ">") || isSpace($0) || $0 == UInt8(ascii: "<") }),
                text[end] == UInt8(ascii: ">")
            else { return nil }
            let target = text[(index + 1)..<end]
            guard isWebTarget(target) else { return nil }
            anchor(target, label: target, asText: true)
            return end + 1
        }

        /// A bare `http://` or `https://` address, as GitHub links them; punctuation that ends a sentence
        /// after it is not part of it.
        private mutating func bareLink(at index: Int) -> Int? {
            if index > text.startIndex, !isSpace(text[index - 1]), !"(*_~".utf8.contains(text[index - 1]) { return nil }
            // Checked before reading on: only an address is read to its end, and then it is consumed.
            guard isWebTarget(text[index...]) else { return nil }
            var end = index
            while end < text.endIndex, end - index < 2048, !isSpace(text[end]), text[end] != UInt8(ascii: "<") { end += 1 }
            // Cut at the bound, an address ends before the character the bound fell in.
            while end < text.endIndex, end > index, text[end] & 0xC0 == 0x80 { end -= 1 }
            while end > index, ".,:;!?'\")*_~".utf8.contains(text[end - 1]) { end -= 1 }
            let target = text[index..<end]
            guard isWebTarget(target), target.count > 8 else { return nil }
            anchor(target, label: target, asText: true)
            return end
        }

        private mutating func anchor(_ target: Line, label: Line, asText: Bool) {
            pending.append(contentsOf: "<a href=\"".utf8)
            ConsoleHTML.escape(target, into: &pending)
            pending.append(contentsOf: "\" rel=\"noopener noreferrer nofollow\">".utf8)
            if asText {
                ConsoleHTML.escape(label, into: &pending)
            } else {
                ReplyMarkdown.inline(label, links: false, into: &pending)
            }
            pending.append(contentsOf: "</a>".utf8)
        }

        /// `target` without the backslashes that escape punctuation.
        private func unescaped(_ target: Line) -> Line {
            guard target.contains(UInt8(ascii: "\\")) else { return target }
            var out: [UInt8] = []
            out.reserveCapacity(target.count)
            var index = target.startIndex
            while index < target.endIndex {
                if target[index] == UInt8(ascii: "\\"), index + 1 < target.endIndex, isPunctuation(target[index + 1]) {
                    index += 1
                }
                out.append(target[index])
                index += 1
            }
            return out[...]
        }

        private func isWebTarget(_ target: Line) -> Bool {
            let lowered = String(decoding: target.prefix(8), as: UTF8.self).lowercased()
            return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
        }

        private func isSafeTarget(_ target: Line) -> Bool {
            isWebTarget(target) || String(decoding: target.prefix(7), as: UTF8.self).lowercased() == "mailto:"
        }

        // MARK: Emphasis

        /// A run of `*`, `_` or `~`, which may open or close emphasis by what stands on either side of it.
        private mutating func delimiterRun(at index: Int) -> Int {
            let character = text[index]
            let count = text[index...].prefix { $0 == character }.count
            let before = index > text.startIndex ? text[index - 1] : UInt8(ascii: " ")
            let after = index + count < text.endIndex ? text[index + count] : UInt8(ascii: " ")
            let leftFlanking = !isSpace(after) && (!isPunctuation(after) || isSpace(before) || isPunctuation(before))
            let rightFlanking = !isSpace(before) && (!isPunctuation(before) || isSpace(after) || isPunctuation(after))
            var canOpen = leftFlanking
            var canClose = rightFlanking
            if character == UInt8(ascii: "_") {
                // No emphasis inside a word: snake_case_names stay as they are.
                canOpen = leftFlanking && (!rightFlanking || isPunctuation(before))
                canClose = rightFlanking && (!leftFlanking || isPunctuation(after))
            }
            if character == UInt8(ascii: "~"), count != 2 {
                canOpen = false
                canClose = false
            }
            flush()
            pieces.append(.run(runs.count))
            runs.append(DelimiterRun(character: character, count: count, canOpen: canOpen, canClose: canClose))
            return index + count
        }

        mutating func matchEmphasis() {
            var openers: [UInt8: [Int]] = [:]
            for closer in runs.indices {
                let character = runs[closer].character
                if runs[closer].canClose {
                    while runs[closer].count > 0, let opener = openers[character]?.last {
                        let both = min(runs[opener].count, runs[closer].count)
                        if character == UInt8(ascii: "~"), both < 2 { break }
                        let used = both >= 2 ? 2 : 1
                        let tag = character == UInt8(ascii: "~") ? "del" : used == 2 ? "strong" : "em"
                        // Openers of the other characters between the two stay text, so that tags nest.
                        for other in openers.keys where other != character {
                            while let last = openers[other]?.last, last > opener { openers[other]?.removeLast() }
                        }
                        runs[opener].count -= used
                        runs[closer].count -= used
                        runs[opener].opened.append(tag)
                        runs[closer].closed.append(tag)
                        if runs[opener].count == 0 { openers[character]?.removeLast() }
                    }
                }
                if runs[closer].count > 0, runs[closer].canOpen { openers[character, default: []].append(closer) }
            }
        }

        func write(into out: inout [UInt8]) {
            for piece in pieces {
                switch piece {
                case .markup(let markup): out += markup
                case .run(let index):
                    let run = runs[index]
                    for tag in run.closed { out.append(contentsOf: "</\(tag)>".utf8) }
                    out += Array(repeating: run.character, count: run.count)
                    for tag in run.opened.reversed() { out.append(contentsOf: "<\(tag)>".utf8) }
                }
            }
        }

        private func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")
        }

        private func isPunctuation(_ byte: UInt8) -> Bool {
            (33...47).contains(byte) || (58...64).contains(byte) || (91...96).contains(byte) || (123...126).contains(byte)
        }
    }
}
