/// The reply a script makes for one request: its pieces, why it ends, and its token counts.
struct EmulatedReply: Sendable {
    static let fallbackText = "Hello from the provider emulator."

    var pieces: [String]
    /// `stop`, or `length` when `max_tokens` cut the pieces short (one piece counts as one token).
    var finishedByLength: Bool
    var promptTokens: Int
    var completionTokens: Int { pieces.count }
    var text: String { pieces.joined() }

    init(request: EmulatedChatRequest, script: EmulatorScript, echoed: String) {
        let whole: String
        switch script.text {
        case .echo: whole = echoed.isEmpty ? Self.fallbackText : echoed
        case .fixed(let text): whole = text
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
