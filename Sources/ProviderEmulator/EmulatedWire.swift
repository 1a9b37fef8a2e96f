import Foundation

/// The frames and bodies of one wire protocol, written from the providers' documented formats.
///
/// Deliberately independent of `AgentProviders`: the emulator is what that module is tested against.
enum EmulatedWire: String, Sendable {
    case openAI = "openai"
    case anthropic

    /// The header that carries the key.
    var keyHeader: String {
        switch self {
        case .openAI: "authorization"
        case .anthropic: "x-api-key"
        }
    }

    /// The key a request presents in this protocol's header, nil when none.
    func presentedKey(in value: String?) -> String? {
        guard let value else { return nil }
        switch self {
        case .openAI:
            guard value.lowercased().hasPrefix("bearer ") else { return nil }
            return String(value.dropFirst("bearer ".count))
        case .anthropic:
            return value
        }
    }

    // MARK: Streams

    /// What a stream sends before its first piece.
    func streamStart(id: String, model: String, reply: EmulatedReply, script: EmulatorScript) -> [String] {
        switch self {
        case .openAI:
            return [chunk(id: id, model: model, delta: ["role": "assistant", "content": ""], finishReason: nil)]
        case .anthropic:
            var usage: [String: Any] = ["input_tokens": reply.promptTokens, "output_tokens": 1]
            if !script.usage { usage = [:] }
            var message: [String: Any] = [
                "id": id, "type": "message", "role": "assistant", "model": model, "content": [Any](),
                "stop_reason": NSNull(), "stop_sequence": NSNull(),
            ]
            if !usage.isEmpty { message["usage"] = usage }
            return [
                event("message_start", ["type": "message_start", "message": message]),
                event(
                    "content_block_start",
                    ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]]),
                event("ping", ["type": "ping"]),
            ]
        }
    }

    /// One piece of text.
    func streamPiece(_ piece: String, id: String, model: String) -> String {
        switch self {
        case .openAI:
            chunk(id: id, model: model, delta: ["content": piece], finishReason: nil)
        case .anthropic:
            event(
                "content_block_delta",
                ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]])
        }
    }

    /// What a stream sends after its last piece; `includeUsage` is whether usage is reported at all.
    func streamEnd(id: String, model: String, reply: EmulatedReply, includeUsage: Bool) -> [String] {
        switch self {
        case .openAI:
            var frames = [chunk(id: id, model: model, delta: [:], finishReason: reply.finishedByLength ? "length" : "stop")]
            if includeUsage {
                frames.append(
                    data([
                        "id": id, "object": "chat.completion.chunk", "created": Self.created, "model": model,
                        "choices": [Any](), "usage": openAIUsage(reply),
                    ]))
            }
            frames.append("data: [DONE]\n\n")
            return frames
        case .anthropic:
            var delta: [String: Any] = [
                "type": "message_delta",
                "delta": ["stop_reason": anthropicStopReason(reply), "stop_sequence": reply.stoppedAt ?? NSNull()]
                    as [String: Any],
            ]
            if includeUsage { delta["usage"] = ["output_tokens": reply.completionTokens] }
            return [
                event("content_block_stop", ["type": "content_block_stop", "index": 0]),
                event("message_delta", delta),
                event("message_stop", ["type": "message_stop"]),
            ]
        }
    }

    /// Why an Anthropic reply ended: its length, one of the request's stop sequences, or its end.
    private func anthropicStopReason(_ reply: EmulatedReply) -> String {
        reply.finishedByLength ? "max_tokens" : reply.stoppedAt == nil ? "end_turn" : "stop_sequence"
    }

    /// The error event a script's `error_after` sends in the middle of a stream.
    var streamError: String {
        switch self {
        case .openAI:
            data(["error": ["message": "emulated failure", "type": "server_error", "code": "emulated_error"]])
        case .anthropic:
            event("error", ["type": "error", "error": ["type": "overloaded_error", "message": "emulated failure"]])
        }
    }

    // MARK: Whole bodies

    /// A non-streamed reply.
    func wholeReply(id: String, model: String, reply: EmulatedReply, includeUsage: Bool) -> String {
        switch self {
        case .openAI:
            var body: [String: Any] = [
                "id": id, "object": "chat.completion", "created": Self.created, "model": model,
                "choices": [
                    [
                        "index": 0, "message": ["role": "assistant", "content": reply.text],
                        "finish_reason": reply.finishedByLength ? "length" : "stop",
                    ] as [String: Any]
                ],
            ]
            if includeUsage { body["usage"] = openAIUsage(reply) }
            return json(body)
        case .anthropic:
            var body: [String: Any] = [
                "id": id, "type": "message", "role": "assistant", "model": model,
                "content": [["type": "text", "text": reply.text]],
                "stop_reason": anthropicStopReason(reply), "stop_sequence": reply.stoppedAt ?? NSNull(),
            ]
            if includeUsage {
                body["usage"] = ["input_tokens": reply.promptTokens, "output_tokens": reply.completionTokens]
            }
            return json(body)
        }
    }

    /// The 400 body a provider answers a request's stop sequences with, if it refuses them: OpenAI's
    /// reasoning models (o1, o3, o4-mini, gpt-5) take no `stop`, and Anthropic no sequence of whitespace alone.
    func refusalOfStops(in chat: EmulatedChatRequest) -> String? {
        switch self {
        case .openAI:
            let name = chat.model.lowercased().split(separator: "/").last.map(String.init) ?? ""
            let reasons = (name.first == "o" && name.dropFirst().first?.isNumber == true) || name.hasPrefix("gpt-5")
            guard reasons, !chat.stopSequences.isEmpty else { return nil }
            return json([
                "error": [
                    "message": "Unsupported parameter: 'stop' is not supported with this model.",
                    "type": "invalid_request_error", "param": "stop", "code": "unsupported_parameter",
                ]
            ])
        case .anthropic:
            guard chat.stopSequences.contains(where: { $0.allSatisfy(\.isWhitespace) }) else { return nil }
            return json([
                "type": "error",
                "error": [
                    "type": "invalid_request_error", "message": "stop_sequences: each stop sequence must contain non-whitespace",
                ],
            ])
        }
    }

    /// The 400 body a provider answers a message's participant name with, if it refuses it: OpenAI takes
    /// names of ASCII letters, digits, `_` and `-` only, and Anthropic's messages have no `name` at all.
    func refusalOfNames(in chat: EmulatedChatRequest) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard
            let index = chat.messages.firstIndex(where: {
                guard let name = $0.name else { return false }
                return self == .anthropic || name.isEmpty || !name.allSatisfy(allowed.contains)
            })
        else { return nil }
        switch self {
        case .openAI:
            return json([
                "error": [
                    "message": "Invalid 'messages[\(index)].name': string does not match pattern.",
                    "type": "invalid_request_error", "param": "messages[\(index)].name", "code": "invalid_value",
                ]
            ])
        case .anthropic:
            return json([
                "type": "error",
                "error": ["type": "invalid_request_error", "message": "messages.\(index).name: Extra inputs are not permitted"],
            ])
        }
    }

    /// The error body of an HTTP error status, typed as the provider would.
    func errorBody(status: Int, message: String? = nil) -> String {
        let message = message ?? "emulated status \(status)"
        let (openAIType, anthropicType): (String, String) =
            switch status {
            case 401: ("invalid_request_error", "authentication_error")
            case 429: ("rate_limit_exceeded", "rate_limit_error")
            case 500...: ("server_error", "api_error")
            default: ("invalid_request_error", "invalid_request_error")
            }
        switch self {
        case .openAI:
            return json([
                "error": ["message": message, "type": openAIType, "code": NSNull()] as [String: Any]
            ])
        case .anthropic:
            return json(["type": "error", "error": ["type": anthropicType, "message": message]])
        }
    }

    /// The provider's refusal of a prompt longer than the model's context window, worded as each provider
    /// words it: OpenAI gives a code, Anthropic only a message.
    func contextErrorBody(promptTokens: Int, window: Int) -> String {
        switch self {
        case .openAI:
            json([
                "error": [
                    "message": "This model's maximum context length is \(window) tokens. However, your messages resulted in "
                        + "\(promptTokens) tokens. Please reduce the length of the messages.",
                    "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded",
                ]
            ])
        case .anthropic:
            json([
                "type": "error",
                "error": [
                    "type": "invalid_request_error", "message": "prompt is too long: \(promptTokens) tokens > \(window) maximum",
                ],
            ])
        }
    }

    // MARK: Framing

    /// A fixed creation time: replies are reproducible.
    private static let created = 1_700_000_000

    private func chunk(id: String, model: String, delta: [String: Any], finishReason: String?) -> String {
        data([
            "id": id, "object": "chat.completion.chunk", "created": Self.created, "model": model,
            "choices": [
                ["index": 0, "delta": delta, "finish_reason": finishReason.map { $0 as Any } ?? NSNull()] as [String: Any]
            ],
        ])
    }

    private func openAIUsage(_ reply: EmulatedReply) -> [String: Int] {
        [
            "prompt_tokens": reply.promptTokens, "completion_tokens": reply.completionTokens,
            "total_tokens": reply.promptTokens + reply.completionTokens,
        ]
    }

    private func data(_ object: [String: Any]) -> String { "data: \(json(object))\n\n" }

    private func event(_ name: String, _ object: [String: Any]) -> String { "event: \(name)\ndata: \(json(object))\n\n" }

    private func json(_ object: [String: Any]) -> String {
        // Only strings, numbers, arrays, dictionaries and NSNull go in: serialization cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
