@testable import AgentProviders

/// What a streamed reply came to: the events in order, and their sum as a caller would keep it.
struct ReplyTranscript: Hashable {
    var events: [ReplyEvent] = []

    var text: String {
        events.reduce(into: "") { text, event in
            if case .text(let piece) = event { text += piece }
        }
    }

    var usage: TokenUsage {
        events.reduce(into: TokenUsage()) { usage, event in
            if case .usage(let reported) = event { usage = usage.merging(reported) }
        }
    }

    /// The last event, which ends every stream.
    var ending: ReplyEvent? { events.last }

    /// Decodes `chunks` as one body of `wireProtocol`, finishing it.
    static func decode(_ chunks: [[UInt8]], as wireProtocol: ChatWireProtocol, maximumEventSize: Int = 1 << 20)
        -> ReplyTranscript
    {
        var decoder = wireProtocol.makeStreamDecoder(maximumEventSize: maximumEventSize)
        var transcript = ReplyTranscript()
        for chunk in chunks { transcript.events += decoder.decode(chunk) }
        transcript.events += decoder.finish()
        return transcript
    }

    static func decode(_ body: String, as wireProtocol: ChatWireProtocol) -> ReplyTranscript {
        decode([Array(body.utf8)], as: wireProtocol)
    }

    /// Exactly one ending, last: the contract of ``ReplyEvent``.
    var endsOnce: Bool {
        let endings = events.filter {
            switch $0 {
            case .finished, .failed: true
            default: false
            }
        }
        return endings.count == 1 && endings.first == events.last
    }
}
