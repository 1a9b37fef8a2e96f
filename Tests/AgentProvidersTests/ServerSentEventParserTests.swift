import Testing

@testable import AgentProviders

@Suite struct ServerSentEventParserTests {
    /// Parses `chunks` as one stream and finishes it.
    static func parse(_ chunks: [[UInt8]], maximumEventSize: Int = 1 << 20) throws
        -> (events: [ServerSentEvent], end: ServerSentEventStreamEnd)
    {
        var parser = ServerSentEventParser(maximumEventSize: maximumEventSize)
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += try parser.parse(chunk) }
        return (events, parser.finish())
    }

    /// The same, through the byte-wise path taken by sequences without contiguous storage.
    static func parseByteWise(_ chunks: [[UInt8]], maximumEventSize: Int = 1 << 20) throws
        -> (events: [ServerSentEvent], end: ServerSentEventStreamEnd)
    {
        var parser = ServerSentEventParser(maximumEventSize: maximumEventSize)
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += try parser.parse(chunk.lazy.map { $0 }) }
        return (events, parser.finish())
    }

    static func parse(_ text: String) throws -> [ServerSentEvent] {
        try parse([Array(text.utf8)]).events
    }

    // MARK: Fields

    @Test func readsEventDataIDAndRetry() throws {
        let events = try Self.parse("event: update\ndata: one\nid: 7\nretry: 2500\n\n")
        #expect(events == [ServerSentEvent(event: "update", data: "one", id: "7", retry: 2500)])
    }

    @Test func joinsDataLinesWithLineFeeds() throws {
        #expect(try Self.parse("data: a\ndata:\ndata:  b\n\n") == [ServerSentEvent(data: "a\n\n b")])
    }

    @Test func stripsOneLeadingSpaceOnly() throws {
        #expect(try Self.parse("data:x\n\ndata: x\n\ndata:  x\n\n").map(\.data) == ["x", "x", " x"])
    }

    @Test func aFieldWithoutColonHasAnEmptyValue() throws {
        // `data` alone is a data line with no text; `event` alone resets nothing but names no event.
        #expect(try Self.parse("data\n\nevent\ndata: y\n\n") == [ServerSentEvent(data: ""), ServerSentEvent(data: "y")])
    }

    @Test func ignoresCommentsUnknownFieldsAndEventsWithoutData() throws {
        let events = try Self.parse(": keep-alive\n\nfoo: bar\nevent: lonely\n\n:\ndata: kept\n\n")
        #expect(events == [ServerSentEvent(data: "kept")])
    }

    @Test func theLastEventIDCarriesOverAndANullIsIgnored() throws {
        let events = try Self.parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.id) == ["1", "1", "1", nil])
    }

    @Test func retryMustBeDigits() throws {
        var parser = ServerSentEventParser()
        let events = try parser.parse(Array("retry: 12a\ndata: a\n\nretry: 300\ndata: b\n\n".utf8))
        #expect(events.map(\.retry) == [nil, 300])
        #expect(parser.reconnectionTime == 300)
    }

    @Test func skipsOneLeadingByteOrderMark() throws {
        #expect(try Self.parse("\u{FEFF}data: a\n\n") == [ServerSentEvent(data: "a")])
        // A second one is text, of a field nobody knows.
        #expect(try Self.parse("\u{FEFF}\u{FEFF}data: a\n\n").isEmpty)
        // Bytes that begin like one but are not stay text.
        let nearlyMark: [UInt8] = [0xEF, 0xBB] + Array("x\ndata: b\n\n".utf8)
        #expect(try Self.parse([nearlyMark]).events == [ServerSentEvent(data: "b")])
    }

    // MARK: Line endings

    @Test(arguments: ["\n", "\r\n", "\r"])
    func acceptsEveryLineEnding(_ ending: String) throws {
        let text = ["event: e", "data: 1", "data: 2", "", "data: 3", "", ""].joined(separator: ending)
        #expect(try Self.parse(text) == [ServerSentEvent(event: "e", data: "1\n2"), ServerSentEvent(data: "3")])
    }

    @Test func aCarriageReturnLineFeedSplitAcrossChunksIsOneLineEnding() throws {
        let result = try Self.parse([Array("data: a\r".utf8), Array("\n\r".utf8), Array("\ndata: b\r\n\r\n".utf8)])
        #expect(result.events == [ServerSentEvent(data: "a"), ServerSentEvent(data: "b")])
        #expect(result.end == .clean)
    }

    @Test func mixedLineEndings() throws {
        #expect(try Self.parse("data: a\r\ndata: b\rdata: c\n\r\n").map(\.data) == ["a\nb\nc"])
    }

    // MARK: Chunks and the end of the stream

    @Test func takesAnySequenceOfBytes() throws {
        var parser = ServerSentEventParser()
        var events = try parser.parse("data: a\n".utf8)
        events += try parser.parse(Array("\ndata: b\n\n".utf8).dropFirst(0))
        events += try parser.parse(AnyIterator([UInt8]("data: c\n\n".utf8).makeIterator()))
        #expect(events.map(\.data) == ["a", "b", "c"])
    }

    @Test func aCharacterSplitAcrossChunksIsDecodedWhole() throws {
        let bytes = Array("data: 日本👋\n\n".utf8)
        for cut in 7..<14 {
            let result = try Self.parse([Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(result.events == [ServerSentEvent(data: "日本👋")])
        }
    }

    @Test func anUnterminatedEventIsNotDispatched() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.parse(Array("data: first\n\ndata: second\n".utf8)) == [ServerSentEvent(data: "first")])
        #expect(parser.finish() == .truncated)
        #expect(try parser.parse(Array("data: new stream\n\n".utf8)) == [ServerSentEvent(data: "new stream")])
    }

    @Test(arguments: [
        Array("data: x".utf8), Array("data: x\n".utf8), Array("event: e\n".utf8), Array("retry: 5\n".utf8), [0xEF, 0xBB],
    ])
    func finishReportsBytesLeftOver(_ bytes: [UInt8]) throws {
        #expect(try Self.parse([bytes]).end == .truncated)
    }

    @Test(arguments: ["", "data: x\n\n", ": comment\n", "id: 3\n", "data: x\r\n\r\n"])
    func finishReportsACleanEnd(_ text: String) throws {
        #expect(try Self.parse([Array(text.utf8)]).end == .clean)
    }

    // MARK: Bounded memory

    @Test func aLongLineFailsAtTheLimit() throws {
        var parser = ServerSentEventParser(maximumEventSize: 64)
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 64)) {
            try parser.parse([UInt8](repeating: UInt8(ascii: "a"), count: 65))
        }
        // It stays failed.
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 64)) { try parser.parse(Array("\n\n".utf8)) }
    }

    @Test(arguments: [63, 64, 65, 200])
    func bothPathsAgreeOnTheLimit(_ length: Int) throws {
        let line = [UInt8]("data: ".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: length - 6) + [0x0A, 0x0A]
        for chunks in Chunking.everySplit(of: line) {
            let contiguous = try? Self.parse(chunks, maximumEventSize: 64).events.count
            let byteWise = try? Self.parseByteWise(chunks, maximumEventSize: 64).events.count
            #expect(contiguous == byteWise)
            #expect(contiguous == (length > 64 ? nil : 1))
        }
    }

    @Test func eventsBeforeAnErrorAreKept() {
        var parser = ServerSentEventParser(maximumEventSize: 64)
        var events: [ServerSentEvent] = []
        let chunk = Array(("data: early\n\ndata: " + String(repeating: "z", count: 100)).utf8)
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 64)) { try parser.parse(chunk, into: &events) }
        #expect(events == [ServerSentEvent(data: "early")])
    }

    @Test func manyShortDataLinesFailAtTheLimit() throws {
        let hostile = String(repeating: "data:\n", count: 100)
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 64)) {
            try Self.parse([Array(hostile.utf8)], maximumEventSize: 64)
        }
    }

    @Test func endlessCommentsFailAtTheLimit() throws {
        let hostile = ":" + String(repeating: " keep-alive", count: 100)
        #expect(throws: ServerSentEventError.eventTooLarge(limit: 64)) {
            try Self.parse([Array(hostile.utf8)], maximumEventSize: 64)
        }
    }

    @Test func eventsUpToTheLimitPass() throws {
        let data = String(repeating: "b", count: 58)
        // "data: " + 58 bytes is the longest line; then 58 bytes and a line feed of data.
        let result = try Self.parse([Array("data: \(data)\n\n".utf8)], maximumEventSize: 64)
        #expect(result.events == [ServerSentEvent(data: data)])
        // The limit is per event: many of them pass.
        let many = String(repeating: "data: \(data)\n\n", count: 100)
        #expect(try Self.parse([Array(many.utf8)], maximumEventSize: 64).events.count == 100)
    }

    // MARK: Every byte boundary

    static let streams: [String] = [
        RecordedStreams.openAIWithUsageChunk,
        RecordedStreams.openAIUsageOnContentChunk,
        RecordedStreams.anthropicText,
        "\u{FEFF}: hi\r\nevent: a\rdata: é\r\ndata\nid: 9\nretry: 10\n\n\r\ndata: 👋 x\r\rdata: trailing",
    ]

    @Test(arguments: streams.indices)
    func everySplitYieldsTheSameEvents(_ index: Int) throws {
        let text = Self.streams[index]
        let whole = try Self.parse([Array(text.utf8)])
        #expect(!whole.events.isEmpty)
        for chunks in Chunking.everySplit(of: text) {
            let split = try Self.parse(chunks)
            #expect(split.events == whole.events)
            #expect(split.end == whole.end)
            let byteWise = try Self.parseByteWise(chunks)
            #expect(byteWise.events == whole.events)
            #expect(byteWise.end == whole.end)
        }
    }

    @Test func theMixedStreamMeansWhatTheStandardSays() throws {
        let result = try Self.parse([Array(Self.streams[3].utf8)])
        #expect(
            result.events == [
                ServerSentEvent(event: "a", data: "é\n", id: "9", retry: 10),
                ServerSentEvent(data: "👋 x", id: "9"),
            ])
        #expect(result.end == .truncated)
    }
}
