extension OpenAIChatChunk {
    /// The chunk read by ``JSONScanner``, or nil when it is not the common kind (text, a finish reason, fields
    /// a reply does not need): one with `usage` or an `error`, or anything the scanner does not take, is left
    /// to `JSONDecoder`. A member named twice is left to it too.
    static func scanned(_ bytes: UnsafeRawBufferPointer) -> OpenAIChatChunk? {
        var scanner = JSONScanner(bytes)
        var chunk = OpenAIChatChunk()
        var seenChoices = false
        let read = scanner.members { scanner, key in
            switch key {
            case "choices":
                return scanner.member(into: &chunk.choices, seen: &seenChoices) { scanner in
                    var choices: [Choice] = []
                    let read = scanner.elements { scanner in
                        guard let choice = Choice.scanned(&scanner) else { return false }
                        choices.append(choice)
                        return true
                    }
                    return read ? choices : nil
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
        var (seenIndex, seenDelta, seenFinishReason) = (false, false, false)
        let read = scanner.members { scanner, key in
            switch key {
            case "index":
                return scanner.member(into: &choice.index, seen: &seenIndex) { $0.integer() }
            case "delta":
                return scanner.member(into: &choice.delta, seen: &seenDelta) { scanner in
                    var delta = Delta()
                    var seenContent = false
                    let read = scanner.members { scanner, key in
                        guard key == "content" else { return scanner.skipValue() }
                        return scanner.member(into: &delta.content, seen: &seenContent) { $0.string() }
                    }
                    return read ? delta : nil
                }
            case "finish_reason":
                return scanner.member(into: &choice.finishReason, seen: &seenFinishReason) { $0.string() }
            default:
                return scanner.skipValue()
            }
        }
        return read ? choice : nil
    }
}
