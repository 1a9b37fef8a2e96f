// MARK: Bytes to lines, lines to fields

extension ServerSentEventParser {
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Takes one byte, skipping a leading byte order mark (split across chunks or not).
    mutating func consume(_ byte: UInt8) throws(ServerSentEventError) -> ServerSentEvent? {
        guard let matched = byteOrderMarkMatched else { return try consumeInStream(byte) }
        if byte == Self.byteOrderMark[matched] {
            byteOrderMarkMatched = matched + 1 == Self.byteOrderMark.count ? nil : matched + 1
            return nil
        }
        // Not a byte order mark after all: what looked like one is text.
        byteOrderMarkMatched = nil
        for earlier in Self.byteOrderMark.prefix(matched) { _ = try consumeInStream(earlier) }
        return try consumeInStream(byte)
    }

    /// Takes a contiguous chunk: the bytes of a line are copied at once, up to its line ending.
    mutating func consume(
        contentsOf buffer: UnsafeBufferPointer<UInt8>, into events: inout [ServerSentEvent]
    ) throws(ServerSentEventError) {
        var index = buffer.startIndex
        while index < buffer.endIndex {
            // The start of the stream and a pending line feed need the byte-wise rules.
            if byteOrderMarkMatched != nil || skipsLineFeed {
                if let event = try consume(buffer[index]) { events.append(event) }
                index += 1
                continue
            }
            let ending =
                buffer[index...].firstIndex { $0 == Self.lineFeed || $0 == Self.carriageReturn }
                ?? buffer.endIndex
            if ending > index {
                let room = maximumEventSize - line.count - data.count - eventType.count
                if ending - index > room {
                    throw .eventTooLarge(limit: maximumEventSize)
                }
                line.append(contentsOf: buffer[index..<ending])
            }
            guard ending < buffer.endIndex else { return }
            if let event = try consumeInStream(buffer[ending]) { events.append(event) }
            index = ending + 1
        }
    }

    private mutating func consumeInStream(_ byte: UInt8) throws(ServerSentEventError) -> ServerSentEvent? {
        if skipsLineFeed {
            skipsLineFeed = false
            if byte == Self.lineFeed { return nil }
        }
        switch byte {
        case Self.lineFeed:
            return try endLine()
        case Self.carriageReturn:
            skipsLineFeed = true
            return try endLine()
        default:
            line.append(byte)
            try checkSize()
            return nil
        }
    }

    private func checkSize() throws(ServerSentEventError) {
        if line.count + data.count + eventType.count > maximumEventSize {
            throw .eventTooLarge(limit: maximumEventSize)
        }
    }

    private mutating func endLine() throws(ServerSentEventError) -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line[0] == Self.colon { return nil }  // a comment, such as a keep-alive
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: Self.colon) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == Self.space { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        try apply(field: name, value: value)
        return nil
    }

    private mutating func apply(field name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) throws(ServerSentEventError) {
        if name.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(Self.lineFeed)
            // Empty data lines add a byte each without a long line; count them too (the line is in `data` now).
            if data.count + eventType.count > maximumEventSize { throw .eventTooLarge(limit: maximumEventSize) }
        } else if name.elementsEqual("event".utf8) {
            eventType = Array(value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        } else if name.elementsEqual("retry".utf8) {
            if let milliseconds = Self.milliseconds(value) {
                reconnectionTime = milliseconds
                retry = milliseconds
            }
        }
        // Any other field is ignored, as the standard says.
    }

    /// ASCII digits only, and small enough for an `Int`; anything else makes the field ignored.
    private static func milliseconds(_ value: ArraySlice<UInt8>) -> Int? {
        guard !value.isEmpty, value.count <= 18, value.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    // MARK: Dispatch

    private mutating func dispatch() -> ServerSentEvent? {
        defer { resetEvent() }
        guard !data.isEmpty else { return nil }
        data.removeLast()  // the line feed after the last data line
        return ServerSentEvent(
            event: eventType.isEmpty ? "message" : String(decoding: eventType, as: UTF8.self),
            data: String(decoding: data, as: UTF8.self),
            id: lastEventID.isEmpty ? nil : lastEventID,
            retry: retry
        )
    }

    mutating func resetEvent() {
        data.removeAll(keepingCapacity: true)
        eventType.removeAll()
        retry = nil
    }
}
