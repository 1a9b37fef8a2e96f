/// Reads one HTTP/1.1 response of a streamed chat completion as its bytes arrive: the head, then a chunked
/// (or `Content-Length`) body split into server-sent event lines, noting when the first text and `[DONE]`
/// came. Kept apart from the socket so that the parsing is tested without one.
struct ChatBenchmarkResponseReader {
    private enum State {
        case head
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case fixedLength(remaining: Int)
        case complete
    }

    private(set) var status = 0
    /// When the first `data:` line with text in its delta was read.
    private(set) var firstToken: ContinuousClock.Instant?
    /// When `data: [DONE]` was read.
    private(set) var done: ContinuousClock.Instant?
    private var state = State.head
    /// Received bytes not consumed yet (an incomplete head, chunk-size line or event line).
    private var pending: [UInt8] = []
    private var line: [UInt8] = []
    /// The start of a body that is not a 200, for the error message.
    private(set) var errorBody = ""

    var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// Takes the bytes of one `read`, received at `instant`.
    mutating func consume(_ bytes: ArraySlice<UInt8>, at instant: ContinuousClock.Instant) throws(BenchmarkFailure) {
        pending += bytes
        var position = 0
        defer { pending.removeFirst(position) }
        while position < pending.count {
            switch state {
            case .head:
                guard let end = Self.find(Self.crlfcrlf, in: pending, from: position) else { return }
                try readHead(pending[position..<end])
                position = end + 4
            case .chunkSize:
                guard let end = Self.find(Self.crlf, in: pending, from: position) else { return }
                let text = String(decoding: pending[position..<end], as: UTF8.self)
                guard let size = Int(text.prefix { $0 != ";" }, radix: 16) else {
                    throw BenchmarkFailure("malformed chunk size")
                }
                position = end + 2
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let taken = min(remaining, pending.count - position)
                body(pending[position..<position + taken], at: instant)
                position += taken
                state = taken == remaining ? .chunkEnd : .chunkData(remaining: remaining - taken)
            case .chunkEnd:
                guard pending.count - position >= 2 else { return }
                position += 2
                state = .chunkSize
            case .trailers:
                // No trailers are expected: the empty line that ends them ends the response.
                guard let end = Self.find(Self.crlf, in: pending, from: position) else { return }
                if end == position { state = .complete }
                position = end + 2
            case .fixedLength(let remaining):
                let taken = min(remaining, pending.count - position)
                body(pending[position..<position + taken], at: instant)
                position += taken
                state = taken == remaining ? .complete : .fixedLength(remaining: remaining - taken)
            case .complete:
                throw BenchmarkFailure("unexpected bytes after the response")
            }
        }
    }

    // MARK: Parsing

    private mutating func readHead(_ head: ArraySlice<UInt8>) throws(BenchmarkFailure) {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        let lines = text.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12, let code = Int(statusLine.dropFirst(9).prefix(3)) else {
            throw BenchmarkFailure("malformed status line")
        }
        status = code
        if lines.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.hasSuffix("chunked") }) {
            state = .chunkSize
        } else if let length = lines.first(where: { $0.hasPrefix("content-length:") }).flatMap({
            Int($0.dropFirst("content-length:".count).trimmingPrefix(" "))
        }) {
            state = length == 0 ? .complete : .fixedLength(remaining: length)
        } else {
            throw BenchmarkFailure("response neither chunked nor with Content-Length")
        }
    }

    /// Body bytes: split into lines; each `data:` line is looked at once complete.
    private mutating func body(_ bytes: ArraySlice<UInt8>, at instant: ContinuousClock.Instant) {
        guard status == 200 else {
            if errorBody.count < 300 { errorBody += String(decoding: bytes.prefix(300), as: UTF8.self) }
            return
        }
        for byte in bytes {
            guard byte == 10 else {
                line.append(byte)
                continue
            }
            event(line, at: instant)
            line.removeAll(keepingCapacity: true)
        }
    }

    private mutating func event(_ line: [UInt8], at instant: ContinuousClock.Instant) {
        guard line.starts(with: Self.dataPrefix) else { return }
        let data = line[Self.dataPrefix.count...]
        if data.elementsEqual(Self.doneMarker) {
            done = done ?? instant
        } else if firstToken == nil, Self.carriesText(data) {
            firstToken = instant
        }
    }

    /// Whether a chunk's JSON has a non-empty `"content"` string (the role chunk's is empty).
    static func carriesText(_ data: ArraySlice<UInt8>) -> Bool {
        guard let key = find(contentKey, in: data, from: data.startIndex) else { return false }
        var index = key + contentKey.count
        while index < data.endIndex, data[index] == 32 { index += 1 }  // spaces after the colon
        return index + 1 < data.endIndex && data[index] == 34 && data[index + 1] != 34
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]
    private static let dataPrefix = Array("data: ".utf8)
    private static let doneMarker = Array("[DONE]".utf8)
    private static let contentKey = Array("\"content\":".utf8)

    /// The index where `needle` starts in `haystack` at or after `start`.
    private static func find<Bytes: RandomAccessCollection<UInt8>>(
        _ needle: [UInt8], in haystack: Bytes, from start: Bytes.Index
    ) -> Bytes.Index? where Bytes.Index == Int {
        guard haystack.endIndex - start >= needle.count else { return nil }
        for index in start...(haystack.endIndex - needle.count)
        where haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
