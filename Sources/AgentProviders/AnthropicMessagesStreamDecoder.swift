/// Turns the events of an Anthropic Messages stream into ``ReplyEvent``s.
///
/// `message_start` reports the input tokens, `message_delta` the output tokens so far and the stop
/// reason, `message_stop` the end. The output count `message_start` carries (1 or 2, before any text) is
/// not taken: a stream cut before its first `message_delta` (a cancel, an `error` event) would otherwise
/// be accounted as one token, reported, however long its text; unreported, it is estimated from the text. `ping` and event types this decoder does not know are ignored, as
/// Anthropic asks of clients.
struct AnthropicMessagesStreamDecoder: Sendable {
    private var stopReason: FinishReason?
    private var gaveText = false
    private(set) var isComplete = false

    /// The reply events one server-sent event carries.
    mutating func decode(_ event: ServerSentEvent) throws(ProviderFailure) -> [ReplyEvent] {
        if event.data.trimmingASCIIWhitespace.isEmpty { return [] }
        let payload = try ProviderJSON.decode(AnthropicStreamPayload.self, from: event.data)
        // The data names its type; the SSE event name is the same, and the fallback.
        switch payload.type ?? event.event {
        case "message_start":
            guard let prompt = payload.message?.usage?.tokenUsage.prompt else { return [] }
            return [.usage(TokenUsage(prompt: prompt))]
        case "content_block_start":
            guard payload.contentBlock?.type == "text", let text = payload.contentBlock?.text, !text.isEmpty else {
                return []
            }
            gaveText = true
            return [.text(text)]
        case "content_block_delta":
            // Other deltas (tool input, thinking) are not reply text.
            guard payload.delta?.type == "text_delta", let text = payload.delta?.text, !text.isEmpty else { return [] }
            gaveText = true
            return [.text(text)]
        case "message_delta":
            if let reason = payload.delta?.stopReason { stopReason = FinishReason(anthropic: reason) }
            guard let usage = payload.usage else { return [] }
            return [.usage(usage.tokenUsage)]
        case "message_stop":
            let end = try ReplyEvent.ending(stopReason, gaveText: gaveText)
            isComplete = true
            return [end]
        case "error":
            throw (payload.error ?? ProviderErrorObject.unknown).failure
        default:
            return []  // ping, content_block_stop, and types added later
        }
    }

    /// The events owed when the bytes end: a stream that gave its stop reason but no `message_stop`
    /// still finished; one that gave neither broke off.
    func end() throws(ProviderFailure) -> [ReplyEvent] {
        if isComplete { return [] }
        guard let stopReason else { throw .protocolViolation(.endedEarly) }
        return [.finished(stopReason)]
    }
}
