import Foundation

/// The reply a script makes for one request: its pieces, why it ends, and its token counts.
struct EmulatedReply: Sendable {
    static let fallbackText = "Hello from the provider emulator."
    /// The most text `repeat` makes, in bytes.
    static let largestText = 64 << 20

    var pieces: [String]
    /// `stop`, or `length` when `max_tokens` cut the pieces short (one piece counts as one token).
    var finishedByLength: Bool
    /// The request's stop sequence that ended the text there, when one did.
    var stoppedAt: String?
    var promptTokens: Int
    var completionTokens: Int { pieces.count }
    var text: String { pieces.joined() }

    init(request: EmulatedChatRequest, script: EmulatorScript, echoed: String) {
        let once: String
        switch script.text {
        case .echo: once = echoed.isEmpty ? Self.fallbackText : echoed
        case .fixed(let text): once = text
        }
        var whole = String(repeating: once, count: min(script.repetitions, max(1, Self.largestText / max(once.utf8.count, 1))))
        // As a model does: the text ends where a stop sequence would first be written, without it.
        let stops = request.stopSequences.compactMap { sequence in whole.range(of: sequence).map { (sequence, $0) } }
        if let (sequence, range) = stops.min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            stoppedAt = sequence
            whole = String(whole[..<range.lowerBound])
        }
        var pieces = Self.split(whole, into: script.chunks)
        finishedByLength = request.maxTokens.map { $0 < pieces.count } ?? false
        if finishedByLength, let limit = request.maxTokens { pieces = Array(pieces.prefix(max(limit, 0))) }
        self.pieces = pieces
        promptTokens = max(request.promptWords, 1)
    }

    /// `text` in `count` pieces of nearly equal length (fewer when it has fewer characters).
    static func split(_ text: String, into count: Int) -> [String] {
        let characters = Array(text)
        guard !characters.isEmpty else { return [""] }
        let parts = min(max(count, 1), characters.count)
        return (0..<parts).map { index in
            String(characters[index * characters.count / parts..<(index + 1) * characters.count / parts])
        }
    }
}
