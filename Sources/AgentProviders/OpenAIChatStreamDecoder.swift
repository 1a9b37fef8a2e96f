/// Turns the events of an OpenAI Chat Completions stream into ``ReplyEvent``s.
///
/// The finish reason arrives on one chunk and the usage often on a later one (the usage-only chunk of
/// `stream_options.include_usage`), so ``ReplyEvent/finished(_:)`` waits for `[DONE]`.
struct OpenAIChatStreamDecoder: Sendable {
    private var finishReason: FinishReason?
    private var gaveText = false
    private(set) var isComplete = false

    /// The reply events one server-sent event carries.
    mutating func decode(_ event: ServerSentEvent) throws(ProviderFailure) -> [ReplyEvent] {
        let payload = event.data.trimmingASCIIWhitespace
        if payload.isEmpty { return [] }
        if payload == "[DONE]" {
            let end = try ReplyEvent.ending(finishReason, gaveText: gaveText)
            isComplete = true
            return [end]
        }
        let chunk = try Self.chunk(payload)
        if let error = chunk.error { throw error.failure }
        var events: [ReplyEvent] = []
        if let choice = chunk.firstChoice {
            if let text = choice.delta?.content, !text.isEmpty {
                gaveText = true
                events.append(.text(text))
            }
            if let reason = choice.finishReason { finishReason = FinishReason(openAI: reason) }
        }
        // Read from whichever chunk carries it, content-carrying chunks included.
        if let usage = chunk.usage { events.append(.usage(usage.tokenUsage)) }
        return events
    }

    /// The chunk, read by the scanner when it is the common kind and by `JSONDecoder` otherwise.
    static func chunk(_ payload: Substring) throws(ProviderFailure) -> OpenAIChatChunk {
        let scanned = payload.utf8.withContiguousStorageIfAvailable { OpenAIChatChunk.scanned(UnsafeRawBufferPointer($0)) }
        if let scanned = scanned ?? nil { return scanned }
        return try ProviderJSON.decode(OpenAIChatChunk.self, from: payload)
    }

    /// The events owed when the bytes end: a stream that gave its finish reason but no `[DONE]` (some
    /// compatible servers) still finished; one that gave neither broke off.
    func end() throws(ProviderFailure) -> [ReplyEvent] {
        if isComplete { return [] }
        guard let finishReason else { throw .protocolViolation(.endedEarly) }
        return [.finished(finishReason)]
    }
}
