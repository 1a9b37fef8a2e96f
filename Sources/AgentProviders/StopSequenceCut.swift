/// Stop sequences that a provider refuses for a call, applied to its reply by the platform: the text ends
/// where the first of them begins, without it, and the reply ends as a provider's own stop ends it
/// (finish reason `stop`). See ``ChatWireProtocol/stopSequencesCutHere(for:)`` for which.
///
/// A streamed reply comes in pieces, and a sequence may straddle two: the end of a piece that could begin
/// a sequence is held back until the next piece says whether it does (at most the longest sequence less
/// one scalar), and told with the reply's end otherwise.
struct StopSequenceCut: Sendable {
    private let sequences: [[Unicode.Scalar]]
    private var held: [Unicode.Scalar] = []
    /// A sequence was met: the reply ended there.
    private(set) var stopped = false

    init(_ sequences: [String]) {
        self.sequences = sequences.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }
    }

    /// The sequences of `request` that `wireProtocol`'s provider refuses.
    init(for request: ChatRequest, on wireProtocol: ChatWireProtocol) {
        self.init(wireProtocol.stopSequencesCutHere(for: request))
    }

    /// No sequence to apply: every event passes as it is.
    var isEmpty: Bool { sequences.isEmpty }

    /// What to tell of `event`: its text up to a sequence, with the reply's end after it; the text held
    /// back before a reply's end or failure; nothing once a sequence was met.
    mutating func pass(_ event: ReplyEvent) -> [ReplyEvent] {
        guard !sequences.isEmpty else { return [event] }
        guard !stopped else { return [] }
        switch event {
        case .text(let text):
            let told = pass(text)
            return (told.isEmpty ? [] : [.text(told)]) + (stopped ? [.finished(.stop)] : [])
        case .usage:
            return [event]
        case .finished, .failed:
            let rest = String(String.UnicodeScalarView(held))
            held = []
            return (rest.isEmpty ? [] : [.text(rest)]) + [event]
        }
    }

    /// A whole reply cut at its first sequence; its usage stays the provider's.
    func applied(to reply: ChatReply) -> ChatReply {
        var cut = self
        let told = cut.pass(reply.text)
        guard cut.stopped else { return reply }
        var reply = reply
        reply.text = told
        reply.finishReason = .stop
        return reply
    }

    /// The part of `text`, after what was held back, that can be told now.
    private mutating func pass(_ text: String) -> String {
        var pending = held + Array(text.unicodeScalars)
        held = []
        if let start = sequences.compactMap({ pending.firstRange(of: $0)?.lowerBound }).min() {
            stopped = true
            return String(String.UnicodeScalarView(pending[..<start]))
        }
        let kept = heldBack(pending)
        held = Array(pending.suffix(kept))
        pending.removeLast(kept)
        return String(String.UnicodeScalarView(pending))
    }

    /// How many scalars at the end of `pending` could begin a sequence.
    private func heldBack(_ pending: [Unicode.Scalar]) -> Int {
        let longest = min(pending.count, (sequences.map(\.count).max() ?? 1) - 1)
        for length in stride(from: longest, to: 0, by: -1) {
            let tail = pending.suffix(length)
            if sequences.contains(where: { $0.starts(with: tail) }) { return length }
        }
        return 0
    }
}
