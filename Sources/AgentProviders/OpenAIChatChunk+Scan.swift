extension OpenAIChatChunk {
    /// The chunk read by ``JSONScanner``, or nil when it is not the common kind (text, a finish reason, fields
    /// a reply does not need): one with `usage` or an `error`, or anything the scanner does not take, is left
    /// to `JSONDecoder`. A member named twice is left to it too.
    static func scanned(_ bytes: UnsafeRawBufferPointer) -> OpenAIChatChunk? {
        var scanner = JSONScanner(bytes)
        var chunk = OpenAIChatChunk()
        var seen = false
        let read = scanner.members { scanner, key in
            switch key {
            case "choices":
                guard !seen else { return false }
                seen = true
                if scanner.null() { return true }
                var choices: [Choice] = []
                defer { chunk.choices = choices }
                return scanner.elements { scanner in
                    guard let choice = Choice.scanned(&scanner) else { return false }
                    choices.append(choice)
                    return true
                }
            case "usage", "error":
                return scanner.null()
            default:
                return scanner.skipValue()
            }
        }
        guard read, scanner.isAtEnd else { return nil }
        return chunk
    }
}

extension OpenAIChatChunk.Choice {
    fileprivate static func scanned(_ scanner: inout JSONScanner) -> Self? {
        var choice = Self()
        var seen = (index: false, delta: false, finishReason: false, content: false)
        let read = scanner.members { scanner, key in
            switch key {
            case "index":
                guard !seen.index else { return false }
                seen.index = true
                if scanner.null() { return true }
                choice.index = scanner.integer()
                return choice.index != nil
            case "delta":
                guard !seen.delta else { return false }
                seen.delta = true
                if scanner.null() { return true }
                var delta = Delta()
                defer { choice.delta = delta }
                return scanner.members { scanner, key in
                    guard key == "content" else { return scanner.skipValue() }
                    guard !seen.content else { return false }
                    seen.content = true
                    if scanner.null() { return true }
                    delta.content = scanner.string()
                    return delta.content != nil
                }
            case "finish_reason":
                guard !seen.finishReason else { return false }
                seen.finishReason = true
                if scanner.null() { return true }
                choice.finishReason = scanner.string()
                return choice.finishReason != nil
            default:
                return scanner.skipValue()
            }
        }
        return read ? choice : nil
    }
}
