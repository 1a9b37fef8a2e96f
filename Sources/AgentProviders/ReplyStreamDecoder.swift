/// Reads one streamed response body of any ``ChatWireProtocol``, chunk by chunk, into ``ReplyEvent``s.
///
/// It never throws: a provider's error and a broken stream both become a last
/// ``ReplyEvent/failed(_:)``, after which every chunk is ignored, so a caller has one place to look.
public struct ReplyStreamDecoder: Sendable {
    /// Far above any real event (a chunk of text with its JSON), far below harm.
    public static let defaultMaximumEventSize = 1 << 20

    private enum Wire: Sendable {
        case openAI(OpenAIChatStreamDecoder)
        case anthropic(AnthropicMessagesStreamDecoder)
    }

    private var parser: ServerSentEventParser
    private var wire: Wire
    /// A ``ReplyEvent/finished(_:)`` or ``ReplyEvent/failed(_:)`` was returned.
    public private(set) var isEnded = false

    public init(protocol wireProtocol: ChatWireProtocol, maximumEventSize: Int = ReplyStreamDecoder.defaultMaximumEventSize) {
        parser = ServerSentEventParser(maximumEventSize: maximumEventSize)
        switch wireProtocol {
        case .openAI: wire = .openAI(OpenAIChatStreamDecoder())
        case .anthropic: wire = .anthropic(AnthropicMessagesStreamDecoder())
        }
    }

    /// The reply events the next chunk of the body completes.
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> [ReplyEvent] {
        guard !isEnded else { return [] }
        var events: [ServerSentEvent] = []
        var streamFailure: ProviderFailure?
        do throws(ServerSentEventError) {
            try parser.parse(bytes, into: &events)
        } catch {
            switch error {
            case .eventTooLarge(let limit): streamFailure = .protocolViolation(.eventTooLarge(limit: limit))
            }
        }
        // Events the chunk completed before it broke still count: their text was generated.
        var replies: [ReplyEvent] = []
        for event in events {
            do throws(ProviderFailure) {
                replies += try decode(event)
            } catch {
                return end(with: replies + [.failed(error)])
            }
            if isEnded { return replies }  // nothing after the end marker counts
        }
        if let streamFailure { return end(with: replies + [.failed(streamFailure)]) }
        return replies
    }

    /// The last events, once the body has ended: a stream that ended without finishing fails.
    public mutating func finish() -> [ReplyEvent] {
        guard !isEnded else { return [] }
        _ = parser.finish()  // an unterminated last event is discarded either way
        do throws(ProviderFailure) {
            let owed: [ReplyEvent]
            switch wire {
            case .openAI(let decoder): owed = try decoder.end()
            case .anthropic(let decoder): owed = try decoder.end()
            }
            return end(with: owed)
        } catch {
            return end(with: [.failed(error)])
        }
    }

    private mutating func decode(_ event: ServerSentEvent) throws(ProviderFailure) -> [ReplyEvent] {
        let replies: [ReplyEvent]
        switch wire {
        case .openAI(var decoder):
            replies = try decoder.decode(event)
            wire = .openAI(decoder)
            isEnded = decoder.isComplete
        case .anthropic(var decoder):
            replies = try decoder.decode(event)
            wire = .anthropic(decoder)
            isEnded = decoder.isComplete
        }
        return replies
    }

    private mutating func end(with events: [ReplyEvent]) -> [ReplyEvent] {
        isEnded = true
        return events
    }
}
